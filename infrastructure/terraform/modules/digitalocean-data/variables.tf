variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "DigitalOcean region slug for the VPC and the databases (e.g. fra1, ams3, nyc3)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}[0-9]$", var.region))
    error_message = "region must be a region slug such as fra1."
  }
}

variable "vpc_ip_range" {
  description = "Private IP range of the VPC."
  type        = string
  default     = "10.60.0.0/20"

  validation {
    condition     = can(cidrhost(var.vpc_ip_range, 0))
    error_message = "vpc_ip_range must be a valid IPv4 CIDR block."
  }
}

variable "postgres_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "17"

  validation {
    condition     = contains(["15", "16", "17"], var.postgres_version)
    error_message = "postgres_version must be 15, 16 or 17."
  }
}

variable "postgres_size" {
  description = "Node size slug of the PostgreSQL cluster (db-s-1vcpu-2gb is the smallest size that supports standby nodes)."
  type        = string
  default     = "db-s-1vcpu-2gb"

  validation {
    condition     = can(regex("^(db|gd|so1_5|m|c)-", var.postgres_size))
    error_message = "postgres_size must be a database size slug such as db-s-1vcpu-2gb."
  }
}

variable "postgres_node_count" {
  description = "1 primary + standby nodes. 2 gives automatic failover; each node is billed in full."
  type        = number
  default     = 2

  validation {
    condition     = var.postgres_node_count >= 1 && var.postgres_node_count <= 3
    error_message = "postgres_node_count must be 1, 2 or 3."
  }
}

variable "valkey_size" {
  description = "Node size slug of the Valkey (Redis-compatible) cluster."
  type        = string
  default     = "db-s-1vcpu-2gb"

  validation {
    condition     = can(regex("^(db|gd|so1_5|m|c)-", var.valkey_size))
    error_message = "valkey_size must be a database size slug such as db-s-1vcpu-2gb."
  }
}

variable "valkey_node_count" {
  description = "1 primary + standby nodes for the Valkey cluster."
  type        = number
  default     = 2

  validation {
    condition     = var.valkey_node_count >= 1 && var.valkey_node_count <= 3
    error_message = "valkey_node_count must be 1, 2 or 3."
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
  description = "Database user the application connects as (DigitalOcean generates its password)."
  type        = string
  default     = "reference_app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_username)) && var.database_username != "doadmin"
    error_message = "database_username must be a lowercase identifier other than doadmin."
  }
}

variable "tags" {
  description = "Tags (DigitalOcean tags are plain strings) added to every resource that supports them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for tag in var.tags : can(regex("^[a-zA-Z0-9:_-]{1,255}$", tag))])
    error_message = "DigitalOcean tags may contain letters, digits, colons, dashes and underscores."
  }
}
