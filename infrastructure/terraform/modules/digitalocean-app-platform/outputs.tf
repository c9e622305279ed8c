output "app_id" {
  description = "ID of the App Platform app."
  value       = digitalocean_app.this.id
}

output "live_url" {
  description = "Public HTTPS URL of the app."
  value       = digitalocean_app.this.live_url
}

output "default_ingress" {
  description = "The ondigitalocean.app hostname; point your domain's CNAME at it."
  value       = digitalocean_app.this.default_ingress
}

output "metrics_bearer_token" {
  description = "APP_METRICS_BEARER_TOKEN: the bearer token a Prometheus scraping GET /metrics must send (App Platform never displays SECRET values again)."
  value       = random_password.metrics_bearer_token.result
  sensitive   = true
}
