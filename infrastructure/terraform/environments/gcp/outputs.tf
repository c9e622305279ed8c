output "platform" {
  description = "Compute platform in use (cloud-run or gke)."
  value       = var.platform
}

output "service_url" {
  description = "HTTPS URL of the Cloud Run service (platform = cloud-run)."
  value       = one(module.cloud_run[*].service_url)
}

output "migrate_job_name" {
  description = "Cloud Run job running the migrations (platform = cloud-run)."
  value       = one(module.cloud_run[*].migrate_job_name)
}

output "gke_cluster_name" {
  description = "GKE cluster name (platform = gke)."
  value       = one(module.gke[*].cluster_name)
}

output "gke_app_service_account" {
  description = "Google service account for the app's Kubernetes service account annotation (platform = gke)."
  value       = one(module.gke[*].app_service_account_email)
}

output "database_connection_name" {
  description = "Cloud SQL connection name, for the Cloud SQL Auth Proxy when operators need psql."
  value       = module.data.database_connection_name
}

output "secret_ids" {
  description = "Secret Manager secret IDs of the app secrets."
  value       = module.data.secret_ids
}
