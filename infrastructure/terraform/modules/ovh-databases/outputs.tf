output "postgres_cluster_id" {
  description = "ID of the PostgreSQL service."
  value       = ovh_cloud_project_database.postgres.id
}

output "valkey_cluster_id" {
  description = "ID of the Valkey service."
  value       = ovh_cloud_project_database.valkey.id
}

output "postgres_host" {
  description = "Private hostname of the PostgreSQL service."
  value       = local.postgres_endpoint.domain
}

output "key_manager_secret_ids" {
  description = "Map of app environment variable name => Key Manager secret ID."
  value       = { for name, secret in ovh_cloud_key_manager_secret.app : name => secret.id }
}

output "app_secrets" {
  description = "APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN, for creating the Kubernetes Secret."
  value       = local.app_secrets
  sensitive   = true
}
