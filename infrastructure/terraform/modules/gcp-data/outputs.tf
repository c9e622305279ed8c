output "secret_ids" {
  description = "Map of app environment variable name => Secret Manager secret ID (APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL, APP_METRICS_BEARER_TOKEN) plus REDIS_CA_CERT."
  # From the versions, so consumers only start once the values exist.
  value = { for name, version in google_secret_manager_secret_version.app : name => google_secret_manager_secret.app[name].secret_id }
}

output "database_instance_name" {
  description = "Name of the Cloud SQL instance."
  value       = google_sql_database_instance.postgres.name
}

output "database_connection_name" {
  description = "Cloud SQL connection name (project:region:instance), for the Cloud SQL Auth Proxy."
  value       = google_sql_database_instance.postgres.connection_name
}

output "database_private_ip" {
  description = "Private IP of the Cloud SQL instance."
  value       = google_sql_database_instance.postgres.private_ip_address
}

output "redis_host" {
  description = "Private IP of the Memorystore instance."
  value       = google_redis_instance.cache.host
}

output "redis_ca_cert_path" {
  description = "Path at which compute must mount the REDIS_CA_CERT secret."
  value       = var.redis_ca_cert_path
}

output "bucket_name" {
  description = "Name of the application Cloud Storage bucket."
  value       = google_storage_bucket.app.name
}
