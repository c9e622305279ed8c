variable "name" {
  description = "Cluster name and name prefix (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region slug of the cluster (same as the databases, e.g. fra1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a region slug such as fra1."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster nodes (the databases' VPC)."
  type        = string
}

variable "kubernetes_version_prefix" {
  description = "Kubernetes minor version to track, e.g. \"1.33.\"; the newest DOKS patch release of it is used."
  type        = string
  default     = "1.33."

  validation {
    condition     = can(regex("^1\\.[0-9]{2}\\.$", var.kubernetes_version_prefix))
    error_message = "kubernetes_version_prefix must look like \"1.33.\"."
  }
}

variable "ha_control_plane" {
  description = "Highly available control plane (a monthly surcharge; recommended for production)."
  type        = bool
  default     = true
}

variable "api_allowed_cidrs" {
  description = "Addresses allowed to reach the Kubernetes API (control plane firewall): office, VPN, CI runners."
  type        = list(string)

  validation {
    condition     = length(var.api_allowed_cidrs) > 0 && alltrue([for cidr in var.api_allowed_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "api_allowed_cidrs must list at least one valid CIDR block and must not be 0.0.0.0/0."
  }
}

variable "node_size" {
  description = "Droplet size of the worker nodes."
  type        = string
  default     = "s-2vcpu-4gb"

  validation {
    condition     = can(regex("^[a-z0-9]+-[0-9]+vcpu-[0-9]+gb", var.node_size))
    error_message = "node_size must be a Droplet size slug such as s-2vcpu-4gb."
  }
}

variable "node_min_count" {
  description = "Minimum nodes (the cluster autoscaler never goes below)."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_count >= 1
    error_message = "node_min_count must be at least 1."
  }
}

variable "node_max_count" {
  description = "Maximum nodes (caps the bill)."
  type        = number
  default     = 5

  validation {
    condition     = var.node_max_count >= var.node_min_count
    error_message = "node_max_count must be >= node_min_count."
  }
}

variable "postgres_cluster_id" {
  description = "PostgreSQL cluster to open to the Kubernetes cluster through a database firewall rule."
  type        = string
}

variable "valkey_cluster_id" {
  description = "Valkey cluster to open to the Kubernetes cluster through a database firewall rule."
  type        = string
}

variable "database_url" {
  description = "APP_DATABASE_URL (from digitalocean-data), re-exported in the app_secrets output."
  type        = string
  sensitive   = true
}

variable "redis_url" {
  description = "APP_REDIS_URL (from digitalocean-data), re-exported in the app_secrets output."
  type        = string
  sensitive   = true
}

variable "tags" {
  description = "Tags added to the cluster and its nodes."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for tag in var.tags : can(regex("^[a-zA-Z0-9:_-]{1,255}$", tag))])
    error_message = "DigitalOcean tags may contain letters, digits, colons, dashes and underscores."
  }
}
