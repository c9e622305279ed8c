terraform {
  required_version = ">= 1.6.0"

  required_providers {
    ovh = {
      source  = "ovh/ovh"
      version = "~> 2.17"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state in OVHcloud Object Storage through the S3-compatible
  # backend. Values and credentials: see backend.hcl.example.
  backend "s3" {}
}

# Authenticates with OVH_ENDPOINT plus OVH_APPLICATION_KEY /
# OVH_APPLICATION_SECRET / OVH_CONSUMER_KEY (or OAuth2 OVH_CLIENT_ID /
# OVH_CLIENT_SECRET) from the environment.
provider "ovh" {
  endpoint = var.ovh_endpoint
}
