terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Remote state in S3 with a DynamoDB lock table. The values live in
  # backend.hcl (copy backend.hcl.example) and are passed at init time:
  #   terraform init -backend-config=backend.hcl
  backend "s3" {}
}

provider "aws" {
  region = var.region

  # Refuse to run against any other account: a wrong AWS_PROFILE cannot
  # create (or destroy) production in the wrong place.
  allowed_account_ids = [var.aws_account_id]
}
