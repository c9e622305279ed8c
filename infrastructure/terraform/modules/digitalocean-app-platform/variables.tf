variable "name" {
  description = "App name (unique per DigitalOcean account)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens."
  }
}

variable "region" {
  description = "App Platform region slug (e.g. fra, ams, nyc); must contain the database region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}$", var.region))
    error_message = "region must be an App Platform region slug such as fra."
  }
}

variable "vpc_id" {
  description = "VPC the app egresses into, so it can use the databases' private hostnames."
  type        = string
}

variable "image_registry_type" {
  description = "Where the image lives: DOCR (DigitalOcean Container Registry, no credentials needed), GHCR or DOCKER_HUB (public images)."
  type        = string
  default     = "DOCR"

  validation {
    condition     = contains(["DOCR", "GHCR", "DOCKER_HUB"], var.image_registry_type)
    error_message = "image_registry_type must be DOCR, GHCR or DOCKER_HUB."
  }
}

variable "image_registry" {
  description = "Registry namespace/owner for GHCR and DOCKER_HUB images; leave null for DOCR."
  type        = string
  default     = null

  validation {
    condition     = var.image_registry == null || can(regex("^[a-z0-9][a-z0-9._-]*$", var.image_registry))
    error_message = "image_registry must be a lowercase registry namespace, or null for DOCR."
  }
}

variable "image_repository" {
  description = "Image repository name, e.g. \"reference-app\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*$", var.image_repository))
    error_message = "image_repository must be a lowercase repository name."
  }
}

variable "image_tag" {
  description = "Image tag to deploy (an explicit version, never latest)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be an explicit tag, not latest."
  }
}

variable "database_url" {
  description = "APP_DATABASE_URL (from digitalocean-data)."
  type        = string
  sensitive   = true
}

variable "redis_url" {
  description = "APP_REDIS_URL (from digitalocean-data)."
  type        = string
  sensitive   = true
}

variable "postgres_cluster_id" {
  description = "PostgreSQL cluster to open to this app through a database firewall rule."
  type        = string
}

variable "valkey_cluster_id" {
  description = "Valkey cluster to open to this app through a database firewall rule."
  type        = string
}

variable "domain" {
  description = "Custom domain for the app (App Platform issues and renews its TLS certificate). Null = use the ondigitalocean.app hostname."
  type        = string
  default     = null
}

variable "cors_origins" {
  description = "Browser origins allowed by CORS; passed to the app as a JSON list in APP_CORS_ORIGINS."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_origins : can(regex("^https://[^/*]+$", origin))])
    error_message = "Each CORS origin must be an https:// origin without path or wildcard."
  }
}

variable "log_level" {
  description = "APP_LOG_LEVEL of the application."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "instance_size_slug" {
  description = "Instance size of the web service. Autoscaling requires a dedicated-CPU size (apps-d-*)."
  type        = string
  default     = "apps-d-1vcpu-1gb"

  validation {
    condition     = can(regex("^apps-d-", var.instance_size_slug))
    error_message = "Use a dedicated-CPU size (apps-d-*): shared sizes cannot autoscale."
  }
}

variable "min_instances" {
  description = "Minimum web instances (2 survive a single instance failure during deploys)."
  type        = number
  default     = 2

  validation {
    condition     = var.min_instances >= 1
    error_message = "min_instances must be at least 1."
  }
}

variable "max_instances" {
  description = "Maximum web instances the autoscaler may run (caps the bill)."
  type        = number
  default     = 6

  validation {
    condition     = var.max_instances >= var.min_instances
    error_message = "max_instances must be >= min_instances."
  }
}

variable "enable_worker" {
  description = "Run the Celery worker and beat scheduler as App Platform workers."
  type        = bool
  default     = false
}
