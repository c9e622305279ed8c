variable "project_id" {
  description = "GCP project ID."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "region" {
  description = "Region of the (regional, multi-zone) Autopilot cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like \"europe-west1\"."
  }
}

variable "name" {
  description = "Cluster name and name prefix (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,20}[a-z0-9]$", var.name))
    error_message = "name must be 4-22 characters of lowercase letters, digits and hyphens."
  }
}

variable "network_id" {
  description = "VPC network ID."
  type        = string
}

variable "subnet_id" {
  description = "Subnet for the nodes; must carry the pods and services secondary ranges."
  type        = string
}

variable "pods_range_name" {
  description = "Name of the subnet's secondary range for pods."
  type        = string
  default     = "pods"
}

variable "services_range_name" {
  description = "Name of the subnet's secondary range for services."
  type        = string
  default     = "services"
}

variable "release_channel" {
  description = "GKE release channel: how quickly Google upgrades the cluster. REGULAR balances new features and stability."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "master_authorized_cidrs" {
  description = "CIDR blocks allowed to reach the control plane's IP endpoint (office, VPN, CI). The DNS endpoint is always IAM-authenticated."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for cidr in values(var.master_authorized_cidrs) : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "master_authorized_cidrs values must be valid CIDR blocks and not 0.0.0.0/0."
  }
}

variable "app_namespace" {
  description = "Kubernetes namespace of the reference app."
  type        = string
  default     = "reference-app"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a valid Kubernetes namespace name."
  }
}

variable "app_service_account" {
  description = "Kubernetes service account of the app pods, bound to the app's Google service account through Workload Identity."
  type        = string
  default     = "reference-app"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.app_service_account))
    error_message = "app_service_account must be a valid Kubernetes name."
  }
}

variable "secret_ids" {
  description = "Secret Manager secret IDs the app may read (from gcp-data)."
  type        = map(string)
}

variable "bucket_name" {
  description = "Application bucket the app may read and write."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the cluster."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that supports them, merged over the module defaults."
  type        = map(string)
  default     = {}
}
