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

  # TODO 4: make checkov happy: IAM-only access, public access prevented, versioning, and
  #         access logs sent to var.log_bucket.
  # TODO 5: delete each object retention_days after it was written (a lifecycle rule).

  labels = var.labels
}
