output "vpc_id" {
  description = "ID (UUID) of the VPC."
  value       = digitalocean_vpc.this.id
}

output "vpc_urn" {
  description = "URN of the VPC."
  value       = digitalocean_vpc.this.urn
}

output "postgres_cluster_id" {
  description = "ID of the PostgreSQL cluster (for database firewalls)."
  value       = digitalocean_database_cluster.postgres.id
}

output "valkey_cluster_id" {
  description = "ID of the Valkey cluster (for database firewalls)."
  value       = digitalocean_database_cluster.valkey.id
}

output "postgres_cluster_name" {
  description = "Name of the PostgreSQL cluster."
  value       = digitalocean_database_cluster.postgres.name
}

output "database_url" {
  description = "APP_DATABASE_URL (private host, TLS)."
  value       = local.database_url
  sensitive   = true
}

output "redis_url" {
  description = "APP_REDIS_URL (private host, TLS)."
  value       = local.redis_url
  sensitive   = true
}
