variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC that hosts the data stores."
  type        = string
}

variable "database_subnet_ids" {
  description = "Isolated subnets (no internet route) for RDS and ElastiCache, at least two AZs."
  type        = list(string)

  validation {
    condition     = length(var.database_subnet_ids) >= 2
    error_message = "At least two database subnets in different AZs are required for Multi-AZ."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key that encrypts the database, cache, bucket, secrets and log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

# --- PostgreSQL ----------------------------------------------------------------

variable "postgres_major_version" {
  description = "PostgreSQL major version. Minor versions are upgraded automatically in the maintenance window."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["15", "16", "17"], var.postgres_major_version)
    error_message = "postgres_major_version must be 15, 16 or 17."
  }
}

variable "db_instance_class" {
  description = "RDS instance class. Graviton (t4g/m7g/r7g) classes are ~10-20% cheaper than x86 for the same size."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.", var.db_instance_class))
    error_message = "db_instance_class must start with \"db.\"."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial gp3 storage in GiB. gp3 includes 3000 IOPS baseline at any size."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage_gb >= 20 && var.db_allocated_storage_gb <= 65536
    error_message = "db_allocated_storage_gb must be between 20 and 65536."
  }
}

variable "db_max_allocated_storage_gb" {
  description = "Upper bound for RDS storage autoscaling in GiB (storage grows automatically, never shrinks)."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage_gb >= var.db_allocated_storage_gb
    error_message = "db_max_allocated_storage_gb must be >= db_allocated_storage_gb."
  }
}

variable "db_multi_az" {
  description = "Run a synchronous standby in a second AZ (doubles the instance cost, gives ~1-2 min automatic failover)."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 7 and 35 for a production database."
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
  description = "Master user the application connects as. The password is generated, never passed in."
  type        = string
  default     = "reference_app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_username)) && !contains(["postgres", "admin", "rdsadmin"], var.database_username)
    error_message = "database_username must be a lowercase identifier and not a reserved name."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (RDS deletion protection). Set to false only to tear an environment down on purpose."
  type        = bool
  default     = true
}

# --- Redis / Valkey ----------------------------------------------------------------

variable "cache_engine" {
  description = "ElastiCache engine. \"valkey\" is the open-source Redis fork and costs ~20% less per node hour; both speak the Redis protocol."
  type        = string
  default     = "redis"

  validation {
    condition     = contains(["redis", "valkey"], var.cache_engine)
    error_message = "cache_engine must be \"redis\" or \"valkey\"."
  }
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = can(regex("^cache\\.", var.cache_node_type))
    error_message = "cache_node_type must start with \"cache.\"."
  }
}

variable "cache_node_count" {
  description = "Nodes in the replication group (1 primary + replicas, spread over AZs). At least 2, so a node or AZ failure fails over automatically instead of losing the cache."
  type        = number
  default     = 2

  validation {
    condition     = var.cache_node_count >= 2 && var.cache_node_count <= 6
    error_message = "cache_node_count must be between 2 and 6 (automatic failover needs a replica)."
  }
}

# --- Object storage, secrets and logs ----------------------------------------------

variable "secret_recovery_window_days" {
  description = "Days a deleted Secrets Manager secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30
    error_message = "secret_recovery_window_days must be between 7 and 30."
  }
}

variable "log_retention_days" {
  description = "Retention of database/cache CloudWatch log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs accepts."
  }
}

variable "access_log_expiration_days" {
  description = "Days after which load balancer and S3 access logs are deleted from the log bucket."
  type        = number
  default     = 400

  validation {
    condition     = var.access_log_expiration_days >= 90
    error_message = "Keep access logs for at least 90 days."
  }
}

variable "tags" {
  description = "Tags added to every resource, merged over the module defaults."
  type        = map(string)
  default     = {}
}
