variable "project_id" {
  description = "GCP project that hosts the environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "region" {
  description = "Region of every regional resource."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like europe-west1."
  }
}

variable "environment" {
  description = "Environment name; part of every resource name and label."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "platform" {
  description = "Where the app runs: \"cloud-run\" (default) or \"gke\" (Autopilot; deploy the app with manifests afterwards)."
  type        = string
  default     = "cloud-run"

  validation {
    condition     = contains(["cloud-run", "gke"], var.platform)
    error_message = "platform must be cloud-run or gke."
  }
}

variable "container_image" {
  description = "Reference app image in Artifact Registry, pinned by tag or digest."
  type        = string
}

variable "cors_origins" {
  description = "Browser origins allowed by CORS (https://...)."
  type        = list(string)
  default     = []
}

variable "enable_worker" {
  description = "Run the Celery worker and beat as Cloud Run worker pools."
  type        = bool
  default     = false
}

variable "gke_master_authorized_cidrs" {
  description = "Networks allowed to reach the GKE control plane IP endpoint (platform = gke)."
  type        = map(string)
  default     = {}
}

variable "labels" {
  description = "Extra labels for every resource."
  type        = map(string)
  default     = {}
}
