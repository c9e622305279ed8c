variable "aws_account_id" {
  description = "The only AWS account this configuration may be applied to."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be a 12-digit AWS account ID."
  }
}

variable "region" {
  description = "AWS region, e.g. eu-west-1."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "availability_zones" {
  description = "Two or three availability zones of the region."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3
    error_message = "List two or three availability zones."
  }
}

variable "environment" {
  description = "Environment name; part of every resource name and tag."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "platform" {
  description = "Where the app runs: \"ecs\" (ECS Fargate, the default) or \"eks\" (Kubernetes; deploy the app with manifests afterwards)."
  type        = string
  default     = "ecs"

  validation {
    condition     = contains(["ecs", "eks"], var.platform)
    error_message = "platform must be ecs or eks."
  }
}

variable "container_image" {
  description = "Reference app image pinned by tag or digest (ECR URI)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the public HTTPS listener (ECS platform)."
  type        = string
}

variable "cors_origins" {
  description = "Browser origins allowed by CORS (https://...)."
  type        = list(string)
  default     = []
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ (cheaper, less resilient)."
  type        = bool
  default     = false
}

variable "enable_worker" {
  description = "Run the Celery worker and beat (ECS platform)."
  type        = bool
  default     = false
}

variable "eks_admin_principal_arns" {
  description = "IAM roles/users granted cluster-admin on EKS (platform = eks)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource (cost centre, owner, ...)."
  type        = map(string)
  default     = {}
}
