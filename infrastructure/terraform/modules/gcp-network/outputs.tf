output "network_id" {
  description = "ID of the VPC network (projects/<p>/global/networks/<name>)."
  value       = google_compute_network.this.id
}

output "network_name" {
  description = "Name of the VPC network."
  value       = google_compute_network.this.name
}

output "subnet_id" {
  description = "ID of the regional subnet."
  value       = google_compute_subnetwork.this.id
}

output "subnet_name" {
  description = "Name of the regional subnet."
  value       = google_compute_subnetwork.this.name
}

output "pods_range_name" {
  description = "Name of the secondary range for GKE pods."
  value       = "pods"
}

output "services_range_name" {
  description = "Name of the secondary range for GKE services."
  value       = "services"
}

output "private_services_connection" {
  description = "The private services peering; data stores must be created after it exists."
  value       = google_service_networking_connection.private_services.id
}
