# Lab 14: the inputs of a bucket for the app's database exports, checked before any plan.

variable "bucket_name" {
  description = "Name of the exports bucket; bucket names are global across Google Cloud."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, hyphens or underscores, starting and ending with a letter or digit."
  }

  validation {
    condition     = !startswith(var.bucket_name, "goog")
    error_message = "bucket_name must not start with \"goog\": Google reserves that prefix."
  }
}

variable "location" {
  description = "Multi-region of the bucket: EU, US or ASIA."
  type        = string
  default     = "EU"

  validation {
    condition     = contains(["EU", "US", "ASIA"], var.location)
    error_message = "location must be EU, US or ASIA."
  }
}

variable "retention_days" {
  description = "Days an export is kept before the bucket deletes it."
  type        = number
  default     = 30

  validation {
    condition     = var.retention_days >= 7 && var.retention_days <= 365 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days from 7 to 365."
  }
}

variable "log_bucket" {
  description = "Bucket that receives the access logs of the exports bucket."
  type        = string
}

variable "labels" {
  description = "Labels put on the bucket (the modules' common labels)."
  type        = map(string)
  default     = {}
}
