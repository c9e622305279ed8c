variable "project_id" {
  description = "GCP project ID."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "region" {
  description = "Region of Cloud SQL, Memorystore and the bucket (e.g. europe-west1)."
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

variable "network_id" {
  description = "VPC network ID; Cloud SQL and Memorystore get private IPs in it."
  type        = string
}

variable "private_services_connection" {
  description = "ID of the private services peering (from gcp-network); only used to order creation after it."
  type        = string
}

variable "postgres_version" {
  description = "Cloud SQL database version."
  type        = string
  default     = "POSTGRES_17"

  validation {
    condition     = contains(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17"], var.postgres_version)
    error_message = "postgres_version must be POSTGRES_15, POSTGRES_16 or POSTGRES_17."
  }
}

variable "db_tier" {
  description = "Cloud SQL machine tier (db-custom-<vCPUs>-<MiB>). Shared-core tiers (db-f1-micro, db-g1-small) have no SLA."
  type        = string
  default     = "db-custom-2-7680"

  validation {
    condition     = can(regex("^db-(custom|perf-optimized-N)-[0-9]+-[0-9]+$", var.db_tier))
    error_message = "db_tier must be a dedicated-core tier such as db-custom-2-7680."
  }
}

variable "db_high_availability" {
  description = "REGIONAL availability (standby in a second zone, automatic failover). Doubles the instance cost."
  type        = bool
  default     = true
}

variable "db_disk_size_gb" {
  description = "Initial SSD size in GB; grows automatically up to db_disk_autoresize_limit_gb."
  type        = number
  default     = 20

  validation {
    condition     = var.db_disk_size_gb >= 10
    error_message = "db_disk_size_gb must be at least 10."
  }
}

variable "db_disk_autoresize_limit_gb" {
  description = "Upper bound for automatic storage growth in GB (0 = unlimited)."
  type        = number
  default     = 200

  validation {
    condition     = var.db_disk_autoresize_limit_gb >= 0
    error_message = "db_disk_autoresize_limit_gb must be >= 0."
  }
}

variable "db_backup_retention_count" {
  description = "Number of daily backups to keep."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_count >= 7 && var.db_backup_retention_count <= 365
    error_message = "db_backup_retention_count must be between 7 and 365."
  }
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "reference_app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be a lowercase PostgreSQL identifier."
  }
}

variable "database_username" {
  description = "Database user the application connects as. The password is generated."
  type        = string
  default     = "reference_app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_username)) && var.database_username != "postgres"
    error_message = "database_username must be a lowercase identifier other than postgres."
  }
}

variable "redis_memory_size_gb" {
  description = "Memorystore capacity in GB (billed per provisioned GB-hour)."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_memory_size_gb >= 1 && var.redis_memory_size_gb <= 300
    error_message = "redis_memory_size_gb must be between 1 and 300."
  }
}

variable "redis_tier" {
  description = "STANDARD_HA replicates to a second zone with automatic failover; BASIC is a single node (cheaper, no SLA)."
  type        = string
  default     = "STANDARD_HA"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.redis_tier)
    error_message = "redis_tier must be BASIC or STANDARD_HA."
  }
}

variable "redis_ca_cert_path" {
  description = "Path at which the compute platform mounts the Memorystore server CA certificate; embedded in APP_REDIS_URL so the client verifies the server."
  type        = string
  default     = "/secrets/redis-ca/ca.pem"

  validation {
    condition     = startswith(var.redis_ca_cert_path, "/")
    error_message = "redis_ca_cert_path must be an absolute path."
  }
}

variable "deletion_protection" {
  description = "Protect the database and bucket from deletion (both in Terraform and in the Cloud SQL API)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that supports them, merged over the module defaults."
  type        = map(string)
  default     = {}
}
