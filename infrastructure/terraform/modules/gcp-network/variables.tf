variable "project_id" {
  description = "GCP project ID."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "region" {
  description = "Region of the subnet, Cloud NAT and everything regional (e.g. europe-west1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like \"europe-west1\"."
  }
}

variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "subnet_cidr" {
  description = "Primary range of the subnet: Cloud Run Direct VPC egress addresses and GKE nodes."
  type        = string
  default     = "10.50.0.0/20"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be a valid IPv4 CIDR block."
  }
}

variable "pods_cidr" {
  description = "Secondary range for GKE pod IPs (unused by Cloud Run)."
  type        = string
  default     = "10.52.0.0/14"

  validation {
    condition     = can(cidrhost(var.pods_cidr, 0))
    error_message = "pods_cidr must be a valid IPv4 CIDR block."
  }
}

variable "services_cidr" {
  description = "Secondary range for GKE Service IPs (unused by Cloud Run)."
  type        = string
  default     = "10.56.0.0/20"

  validation {
    condition     = can(cidrhost(var.services_cidr, 0))
    error_message = "services_cidr must be a valid IPv4 CIDR block."
  }
}

variable "private_services_prefix_length" {
  description = "Size of the range reserved for Google-managed services (Cloud SQL, Memorystore) peered into the VPC."
  type        = number
  default     = 20

  validation {
    condition     = var.private_services_prefix_length >= 16 && var.private_services_prefix_length <= 24
    error_message = "private_services_prefix_length must be between 16 and 24."
  }
}

variable "labels" {
  description = "Labels added to every resource that supports them, merged over the module defaults."
  type        = map(string)
  default     = {}
}
