output "platform" {
  description = "Compute platform in use (ecs or eks)."
  value       = var.platform
}

output "load_balancer_dns_name" {
  description = "Point your domain at this ALB hostname (ECS platform)."
  value       = one(module.ecs[*].alb_dns_name)
}

output "run_migrations_command" {
  description = "Manual migration command (ECS platform; migrations also run automatically on apply)."
  value       = one(module.ecs[*].run_migrations_command)
}

output "eks_cluster_name" {
  description = "EKS cluster name (EKS platform)."
  value       = one(module.eks[*].cluster_name)
}

output "eks_app_role_arn" {
  description = "IAM role bound to the app's Kubernetes service account via Pod Identity (EKS platform)."
  value       = one(module.eks[*].app_role_arn)
}

output "app_secret_arns" {
  description = "Secrets Manager ARNs of APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN."
  value       = module.data.app_secret_arns
}

output "app_bucket_name" {
  description = "Application S3 bucket."
  value       = module.data.app_bucket_name
}

output "nat_gateway_public_ips" {
  description = "Egress IPs of the environment, for third-party allow-lists."
  value       = module.network.nat_gateway_public_ips
}
