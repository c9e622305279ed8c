output "client_security_group_id" {
  description = "Security group to attach to anything that must reach PostgreSQL and Redis (ECS tasks, EKS nodes)."
  value       = aws_security_group.clients.id
}

output "app_secret_arns" {
  description = "Map of app environment variable name => Secrets Manager secret ARN (APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL, APP_METRICS_BEARER_TOKEN)."
  # Taken from the secret *versions* so that consumers (e.g. the migration
  # task) only run once the values exist.
  value = { for name, version in aws_secretsmanager_secret_version.app : name => version.arn }
}

output "database_endpoint" {
  description = "Hostname of the RDS PostgreSQL instance (private)."
  value       = aws_db_instance.postgres.address
}

output "database_instance_id" {
  description = "RDS instance identifier, for snapshots and console look-ups."
  value       = aws_db_instance.postgres.identifier
}

output "cache_endpoint" {
  description = "Primary endpoint of the ElastiCache replication group (private, TLS)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "app_bucket_name" {
  description = "Name of the private application S3 bucket."
  value       = aws_s3_bucket.app.id
}

output "app_bucket_arn" {
  description = "ARN of the private application S3 bucket."
  value       = aws_s3_bucket.app.arn
}

output "log_bucket_name" {
  description = "Name of the bucket that receives ALB and S3 access logs."
  value       = aws_s3_bucket.logs.id
}
