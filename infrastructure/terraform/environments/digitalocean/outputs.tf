output "platform" {
  description = "Compute platform in use (app-platform or doks)."
  value       = var.platform
}

output "live_url" {
  description = "Public HTTPS URL of the app (platform = app-platform)."
  value       = one(module.app_platform[*].live_url)
}

output "doks_cluster_id" {
  description = "DOKS cluster ID (platform = doks)."
  value       = one(module.doks[*].cluster_id)
}

output "app_secrets" {
  description = "Values for the app's Kubernetes Secret (platform = doks)."
  value       = one(module.doks[*].app_secrets)
  sensitive   = true
}

output "metrics_bearer_token" {
  description = "Bearer token a Prometheus must send to scrape GET /metrics (platform = app-platform; on doks it is in app_secrets)."
  value       = one(module.app_platform[*].metrics_bearer_token)
  sensitive   = true
}
