output "cluster_name" {
  description = "Name of the GKE cluster (gcloud container clusters get-credentials <name> --region <region> --dns-endpoint)."
  value       = google_container_cluster.this.name
}

output "cluster_endpoint" {
  description = "IP endpoint of the Kubernetes API server."
  value       = google_container_cluster.this.endpoint
}

output "app_service_account_email" {
  description = "Google service account to annotate the app's Kubernetes service account with (iam.gke.io/gcp-service-account)."
  value       = google_service_account.app.email
}
