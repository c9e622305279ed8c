variable "ovh_endpoint" {
  description = "OVHcloud API endpoint: ovh-eu, ovh-ca or ovh-us."
  type        = string
  default     = "ovh-eu"

  validation {
    condition     = contains(["ovh-eu", "ovh-ca", "ovh-us"], var.ovh_endpoint)
    error_message = "ovh_endpoint must be ovh-eu, ovh-ca or ovh-us."
  }
}

variable "service_name" {
  description = "ID of the Public Cloud project."
  type        = string
}

variable "region" {
  description = "Public Cloud region of the network and the cluster (e.g. GRA11)."
  type        = string
  default     = "GRA11"
}

variable "database_region" {
  description = "Managed Databases region code matching the compute region (e.g. GRA)."
  type        = string
  default     = "GRA"
}

variable "environment" {
  description = "Environment name; part of every resource name."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "api_allowed_cidrs" {
  description = "Networks allowed to reach the Kubernetes API (office, VPN, CI runners)."
  type        = list(string)
}

variable "labels" {
  description = "Extra metadata for the Key Manager secrets."
  type        = map(string)
  default     = {}
}
