output "cluster_id" {
  description = "ID of the MKS cluster."
  value       = ovh_cloud_project_kube.this.id
}

output "kubeconfig" {
  description = "Kubeconfig of the cluster (terraform output -raw kubeconfig > kubeconfig.yaml)."
  value       = ovh_cloud_project_kube.this.kubeconfig
  sensitive   = true
}

output "private_network_id" {
  description = "Region-specific OpenStack ID of the private network, for the managed databases."
  value       = local.openstack_network_id
}

output "subnet_id" {
  description = "ID of the private subnet, for the managed databases."
  value       = ovh_cloud_project_network_private_subnet.this.id
}

output "subnet_cidr" {
  description = "CIDR of the private subnet; the databases only accept connections from it."
  value       = var.subnet_cidr
}
