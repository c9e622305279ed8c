output "cluster_id" {
  description = "ID of the DOKS cluster (doctl kubernetes cluster kubeconfig save <id>)."
  value       = digitalocean_kubernetes_cluster.this.id
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = digitalocean_kubernetes_cluster.this.endpoint
}

output "app_secrets" {
  description = "APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN for a Kubernetes Secret (see the environment README)."
  value = {
    APP_SECRET_KEY           = random_password.app_secret_key.result
    APP_DATABASE_URL         = var.database_url
    APP_REDIS_URL            = var.redis_url
    APP_METRICS_BEARER_TOKEN = random_password.metrics_bearer_token.result
  }
  sensitive = true
}
