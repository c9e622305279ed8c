terraform {
  required_version = ">= 1.6.0"

  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.70"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state in a DigitalOcean Spaces bucket through the S3-compatible
  # backend. Values and credentials: see backend.hcl.example.
  backend "s3" {}
}

# Authenticates with the DIGITALOCEAN_TOKEN environment variable; never put
# the token in a file.
provider "digitalocean" {}
