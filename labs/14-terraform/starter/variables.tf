# Lab 14: the inputs of a bucket for the app's database exports, checked before any plan.

variable "bucket_name" {
  description = "Name of the exports bucket; bucket names are global across Google Cloud."
  type        = string

  # TODO 1: a validation block: 3-63 lowercase letters, digits, hyphens or underscores,
  #         starting and ending with a letter or digit.
  # TODO 2: a second validation block, with its own message: not starting with "goog".
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

  # TODO 3: a validation block: a whole number of days from 7 to 365.
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
