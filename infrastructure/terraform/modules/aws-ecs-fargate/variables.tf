variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,20}[a-z0-9]$", var.name))
    error_message = "name must be 4-22 characters of lowercase letters, digits and hyphens (ALB and target group names are limited to 32 characters)."
  }
}

variable "vpc_id" {
  description = "VPC to deploy into."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets for the internet-facing Application Load Balancer (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An ALB needs subnets in at least two AZs."
  }
}

variable "private_subnet_ids" {
  description = "Subnets for the Fargate tasks (no public IPs; egress through NAT)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Spread tasks over at least two AZs."
  }
}

variable "container_image" {
  description = "Image of the reference app, pinned by tag or digest, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/reference-app:1.4.2."
  type        = string

  validation {
    condition     = can(regex("^[^:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.container_image)) && !endswith(var.container_image, ":latest")
    error_message = "container_image must be pinned to an explicit tag (not :latest) or a sha256 digest, so every deploy is reproducible."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the HTTPS listener (request it for your domain in the same region)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "app_secret_arns" {
  description = "Secrets Manager ARNs injected as environment variables; must contain APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"], keys(var.app_secret_arns))) == 0
    error_message = "app_secret_arns must contain APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN (production refuses to start without it)."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the secrets and the log groups (the task execution role gets kms:Decrypt on it)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "data_client_security_group_id" {
  description = "Security group (from the aws-data module) that grants access to PostgreSQL and Redis."
  type        = string
}

variable "app_bucket_arn" {
  description = "ARN of the application S3 bucket the tasks may read and write."
  type        = string
}

variable "access_logs_bucket" {
  description = "Bucket for ALB access logs (objects are written under the alb/ prefix)."
  type        = string
}

variable "cors_origins" {
  description = "Browser origins allowed by CORS; passed to the app as a JSON list in APP_CORS_ORIGINS."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_origins : can(regex("^https://[^/*]+$", origin))])
    error_message = "Each CORS origin must be an https:// origin without path or wildcard."
  }
}

variable "log_level" {
  description = "APP_LOG_LEVEL of the application."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "task_cpu" {
  description = "Fargate CPU units per web task (1024 = 1 vCPU)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "task_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "task_memory" {
  description = "Fargate memory (MiB) per web task; must be a valid combination with task_cpu."
  type        = number
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 30720
    error_message = "task_memory must be between 512 and 30720 MiB."
  }
}

variable "desired_count" {
  description = "Web tasks to start with; autoscaling moves between min_capacity and max_capacity afterwards."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= 1
    error_message = "desired_count must be at least 1."
  }
}

variable "min_capacity" {
  description = "Minimum web tasks. Two keep the service up while one AZ or task is replaced."
  type        = number
  default     = 2

  validation {
    condition     = var.min_capacity >= 1
    error_message = "min_capacity must be at least 1."
  }
}

variable "max_capacity" {
  description = "Maximum web tasks the autoscaler may run (caps the bill)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_capacity >= var.min_capacity
    error_message = "max_capacity must be >= min_capacity."
  }
}

variable "enable_worker" {
  description = "Run the Celery worker and beat scheduler services."
  type        = bool
  default     = false
}

variable "worker_count" {
  description = "Number of Celery worker tasks when enable_worker is true."
  type        = number
  default     = 1

  validation {
    condition     = var.worker_count >= 1
    error_message = "worker_count must be at least 1."
  }
}

variable "use_fargate_spot_for_worker" {
  description = "Run Celery workers on Fargate Spot (up to 70% cheaper; tasks may be interrupted with 2 minutes notice, so jobs must be idempotent)."
  type        = bool
  default     = true
}

variable "allowed_ingress_cidrs" {
  description = "CIDR blocks allowed to reach the public HTTPS listener. The default is the whole internet: this is a public API."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for cidr in var.allowed_ingress_cidrs : can(cidrhost(cidr, 0))])
    error_message = "allowed_ingress_cidrs must contain valid IPv4 CIDR blocks."
  }
}

variable "enable_waf" {
  description = "Protect the ALB with AWS WAF managed rule groups (about 5 USD/month + 1 USD per rule group + per-request fees)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of application and WAF log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs accepts."
  }
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource, merged over the module defaults."
  type        = map(string)
  default     = {}
}

variable "cpu_architecture" {
  description = "CPU architecture of the image. ARM64 (Graviton) Fargate is ~20% cheaper; the image must be built for it."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "run_migrations_on_apply" {
  description = "Run `reference-app migrate` as a one-off Fargate task, and wait for it to succeed, before the web service rolls out a new task definition. Needs the AWS CLI where Terraform runs."
  type        = bool
  default     = true
}
