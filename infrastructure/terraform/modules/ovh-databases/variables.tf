variable "service_name" {
  description = "ID of the OVHcloud Public Cloud project."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.service_name))
    error_message = "service_name must be the 32-character hexadecimal Public Cloud project ID."
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

variable "database_region" {
  description = "Managed Databases region code (e.g. GRA, SBG, BHS); must match the compute region's location."
  type        = string

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9-]+$", var.database_region))
    error_message = "database_region must be an uppercase region code such as GRA."
  }
}

variable "key_manager_region" {
  description = "Region of the Key Manager (Barbican) that stores the app secrets, e.g. GRA11."
  type        = string

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9-]+$", var.key_manager_region))
    error_message = "key_manager_region must be an uppercase region code such as GRA11."
  }
}

variable "private_network_id" {
  description = "Region-specific OpenStack ID of the private network (from ovh-kubernetes)."
  type        = string
}

variable "subnet_id" {
  description = "Private subnet the database nodes are attached to (from ovh-kubernetes)."
  type        = string
}

variable "allowed_cidrs" {
  description = "Networks allowed to connect to the databases: the Kubernetes nodes' private subnet."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for cidr in var.allowed_cidrs : can(cidrhost(cidr, 0)) && !contains(["0.0.0.0/0", "::/0"], cidr)])
    error_message = "allowed_cidrs must list valid CIDR blocks and never 0.0.0.0/0."
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

variable "postgres_plan" {
  description = "essential = 1 node; business = 2 nodes with automatic failover; enterprise = 3 nodes."
  type        = string
  default     = "business"

  validation {
    condition     = contains(["essential", "business", "enterprise"], var.postgres_plan)
    error_message = "postgres_plan must be essential, business or enterprise."
  }
}

variable "postgres_flavor" {
  description = "Node flavor of the PostgreSQL service (db1-7 = 2 vCPU / 7 GB)."
  type        = string
  default     = "db1-7"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[0-9]+$", var.postgres_flavor))
    error_message = "postgres_flavor must be a flavor name such as db1-7."
  }
}

variable "valkey_plan" {
  description = "essential = 1 node; business = 2 nodes with automatic failover."
  type        = string
  default     = "business"

  validation {
    condition     = contains(["essential", "business"], var.valkey_plan)
    error_message = "valkey_plan must be essential or business."
  }
}

variable "valkey_flavor" {
  description = "Node flavor of the Valkey service (db1-4 = 1 vCPU / 4 GB)."
  type        = string
  default     = "db1-4"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[0-9]+$", var.valkey_flavor))
    error_message = "valkey_flavor must be a flavor name such as db1-4."
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
  description = "Database user the application connects as (OVHcloud generates its password)."
  type        = string
  default     = "reference_app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_username)) && var.database_username != "avnadmin"
    error_message = "database_username must be a lowercase identifier other than avnadmin."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database services."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Metadata added to the Key Manager secrets (the only resources here that take key/value labels)."
  type        = map(string)
  default     = {}
}
