# Lab 14: a bucket for the app's database exports, on Google Cloud.

terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

resource "google_storage_bucket" "exports" {
  name     = var.bucket_name
  location = var.location

  # IAM only (no per-object ACLs) and never public.
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  logging {
    log_bucket = var.log_bucket
  }

  # An export older than the retention is deleted, and with it the data it holds.
  lifecycle_rule {
    condition {
      age = var.retention_days
    }
    action {
      type = "Delete"
    }
  }

  labels = var.labels
}
