variable "name" {
  description = "Cluster name and name prefix for every resource in this module."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version. Upgrade one minor version at a time; versions past standard support cost 6x more per cluster hour."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like \"1.33\"."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets for the control plane network interfaces and the nodes (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two AZs."
  }
}

variable "kms_key_arn" {
  description = "KMS key for envelope encryption of Kubernetes Secrets, node volumes and the control plane log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "data_client_security_group_id" {
  description = "Security group (from the aws-data module) attached to the nodes so pods can reach PostgreSQL and Redis."
  type        = string
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint on the internet (restricted to public_access_cidrs). Keep false and reach the API through a VPN/bastion where possible."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public API endpoint when endpoint_public_access is true (e.g. your office or CI egress IPs)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.public_access_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be valid CIDR blocks and must not be 0.0.0.0/0."
  }
}

variable "admin_principal_arns" {
  description = "IAM role/user ARNs granted cluster-admin through EKS access entries (no aws-auth ConfigMap)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", arn))])
    error_message = "admin_principal_arns must be IAM role or user ARNs."
  }
}

variable "node_instance_types" {
  description = "EC2 instance types of the managed node group. Several types improve Spot availability."
  type        = list(string)
  default     = ["m6i.large"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "Give at least one instance type."
  }
}

variable "node_ami_type" {
  description = "AMI type of the nodes; use AL2023_ARM_64_STANDARD with Graviton instance types (cheaper per vCPU) if the image is multi-arch."
  type        = string
  default     = "AL2023_x86_64_STANDARD"

  validation {
    condition     = contains(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"], var.node_ami_type)
    error_message = "node_ami_type must be an AL2023 or Bottlerocket AMI type."
  }
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT. Spot is 60-90% cheaper but nodes can be reclaimed with 2 minutes notice."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_desired_size" {
  description = "Initial number of nodes (a cluster autoscaler / Karpenter adjusts it afterwards)."
  type        = number
  default     = 3

  validation {
    condition     = var.node_desired_size >= 1
    error_message = "node_desired_size must be at least 1."
  }
}

variable "node_max_size" {
  description = "Maximum number of nodes (caps the bill)."
  type        = number
  default     = 6

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be >= node_min_size."
  }
}

variable "node_disk_size_gb" {
  description = "Root volume size of each node in GiB (gp3, encrypted)."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gb >= 20
    error_message = "node_disk_size_gb must be at least 20."
  }
}

variable "app_namespace" {
  description = "Kubernetes namespace the reference app is deployed to."
  type        = string
  default     = "reference-app"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a valid Kubernetes namespace name."
  }
}

variable "app_service_account" {
  description = "Kubernetes service account of the app pods; EKS Pod Identity maps it to the app IAM role."
  type        = string
  default     = "reference-app"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.app_service_account))
    error_message = "app_service_account must be a valid Kubernetes name."
  }
}

variable "app_secret_arns" {
  description = "Secrets Manager ARNs the app pods may read (APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL, APP_METRICS_BEARER_TOKEN), e.g. through the Secrets Store CSI driver or External Secrets."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"], keys(var.app_secret_arns))) == 0
    error_message = "app_secret_arns must contain APP_SECRET_KEY, APP_DATABASE_URL, APP_REDIS_URL and APP_METRICS_BEARER_TOKEN (production refuses to start without it)."
  }
}

variable "app_bucket_arn" {
  description = "ARN of the application S3 bucket the app pods may read and write."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the control plane log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs accepts."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster until this is turned off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource, merged over the module defaults."
  type        = map(string)
  default     = {}
}
