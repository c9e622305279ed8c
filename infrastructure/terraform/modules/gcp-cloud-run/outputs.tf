output "service_url" {
  description = "HTTPS URL of the web service (map a custom domain or put a load balancer in front for your own hostname)."
  value       = google_cloud_run_v2_service.web.uri
}

output "service_name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.web.name
}

output "migrate_job_name" {
  description = "Cloud Run job that runs `reference-app migrate` (gcloud run jobs execute <name> --wait)."
  value       = google_cloud_run_v2_job.migrate.name
}

output "service_account_email" {
  description = "Runtime service account of the app."
  value       = google_service_account.app.email
}
