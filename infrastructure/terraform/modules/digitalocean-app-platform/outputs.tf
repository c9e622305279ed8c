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
