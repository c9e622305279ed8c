variable "project_id" {
  description = "GCP project ID."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "region" {
  description = "Cloud Run region (same as the data stores, to avoid cross-region latency and egress charges)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like \"europe-west1\"."
  }
}

variable "name" {
  description = "Name prefix for the service, job and service account (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,20}[a-z0-9]$", var.name))
    error_message = "name must be 4-22 characters of lowercase letters, digits and hyphens (service account IDs are limited to 30 characters)."
  }
}

variable "container_image" {
  description = "Image of the reference app in Artifact Registry, pinned by tag or digest."
  type        = string

  validation {
    condition     = can(regex("^[^:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.container_image)) && !endswith(var.container_image, ":latest")
    error_message = "container_image must be pinned to an explicit tag (not :latest) or a sha256 digest."
  }
}

variable "network_id" {
  description = "VPC network for Direct VPC egress (reaching Cloud SQL and Memorystore private IPs)."
  type        = string
}

variable "subnet_id" {
  description = "Subnet that Cloud Run instances take their private addresses from."
  type        = string
}

variable "secret_ids" {
  description = "Secret Manager secret IDs from gcp-data: APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL, APP_METRICS_BEARER_TOKEN and REDIS_CA_CERT."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN", "REDIS_CA_CERT"], keys(var.secret_ids))) == 0
    error_message = "secret_ids must contain APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL, APP_METRICS_BEARER_TOKEN and REDIS_CA_CERT."
  }
}

variable "redis_ca_cert_path" {
  description = "Where the Memorystore CA certificate is mounted (must match the path inside APP_REDIS_URL)."
  type        = string
  default     = "/secrets/redis-ca/ca.pem"

  validation {
    condition     = can(regex("^/[^/]+(/[^/]+)*/[^/]+$", var.redis_ca_cert_path))
    error_message = "redis_ca_cert_path must be an absolute file path inside a directory, e.g. /secrets/redis-ca/ca.pem."
  }
}

variable "bucket_name" {
  description = "Application bucket the service account may read and write."
  type        = string
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

variable "cpu" {
  description = "vCPUs per instance (\"1\", \"2\", \"4\" ...)."
  type        = string
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "6", "8"], var.cpu)
    error_message = "cpu must be 1, 2, 4, 6 or 8."
  }
}

variable "memory" {
  description = "Memory per instance, e.g. \"512Mi\" or \"1Gi\"."
  type        = string
  default     = "1Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must look like 512Mi or 1Gi."
  }
}

variable "min_instances" {
  description = "Instances kept warm. 0 is cheapest but the first request after idle pays a cold start; 1+ keeps latency flat and is billed all the time."
  type        = number
  default     = 1

  validation {
    condition     = var.min_instances >= 0
    error_message = "min_instances must be >= 0."
  }
}

variable "max_instances" {
  description = "Upper bound on instances: caps the bill and the number of database connections."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1 && var.max_instances >= var.min_instances
    error_message = "max_instances must be >= 1 and >= min_instances."
  }
}

variable "concurrency" {
  description = "Concurrent requests per instance (async FastAPI handles many; lower it if requests are CPU heavy)."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be between 1 and 1000."
  }
}

variable "allow_public_access" {
  description = "Let anyone invoke the service (a public API). Set to false when an external load balancer with IAP or Cloud Armor fronts it."
  type        = bool
  default     = true
}

variable "enable_worker" {
  description = "Run the Celery worker and beat scheduler as Cloud Run worker pools (always-on instances, no HTTP)."
  type        = bool
  default     = false
}

variable "run_migrations_on_apply" {
  description = "Execute the migration job (and wait for success) before the service rolls out a new revision. Needs gcloud where Terraform runs."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Protect the service and job from `terraform destroy`."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that supports them, merged over the module defaults."
  type        = map(string)
  default     = {}
}
