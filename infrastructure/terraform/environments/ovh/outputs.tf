output "cluster_id" {
  description = "ID of the Managed Kubernetes cluster."
  value       = module.kubernetes.cluster_id
}

output "kubeconfig" {
  description = "Kubeconfig of the cluster."
  value       = module.kubernetes.kubeconfig
  sensitive   = true
}

output "key_manager_secret_ids" {
  description = "Key Manager secret IDs of the app secrets."
  value       = module.databases.key_manager_secret_ids
}

output "app_secrets" {
  description = "Values for the app's Kubernetes Secret."
  value       = module.databases.app_secrets
  sensitive   = true
}
