variable "region" {
  description = "Region slug of the VPC, databases and DOKS (e.g. fra1)."
  type        = string
  default     = "fra1"

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a region slug such as fra1."
  }
}

variable "environment" {
  description = "Environment name; part of every resource name and tag."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "platform" {
  description = "Where the app runs: \"app-platform\" (default) or \"doks\" (Kubernetes; deploy the app with manifests afterwards)."
  type        = string
  default     = "app-platform"

  validation {
    condition     = contains(["app-platform", "doks"], var.platform)
    error_message = "platform must be app-platform or doks."
  }
}

variable "image_repository" {
  description = "Repository of the reference app image in the account's container registry (DOCR)."
  type        = string
  default     = "reference-app"
}

variable "image_tag" {
  description = "Image tag to deploy (explicit version)."
  type        = string
}

variable "domain" {
  description = "Custom domain of the app (App Platform); null to use the ondigitalocean.app hostname."
  type        = string
  default     = null
}

variable "cors_origins" {
  description = "Browser origins allowed by CORS (https://...)."
  type        = list(string)
  default     = []
}

variable "enable_worker" {
  description = "Run the Celery worker and beat (App Platform)."
  type        = bool
  default     = false
}

variable "doks_api_allowed_cidrs" {
  description = "Networks allowed to reach the DOKS API (office, VPN, CI runners); required when platform = doks."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every taggable resource."
  type        = list(string)
  default     = []
}
