variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\")."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC. A /16 leaves room for three tiers of subnets in up to three availability zones."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be a valid IPv4 CIDR block of size /20 or larger."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread subnets over, e.g. [\"eu-west-1a\", \"eu-west-1b\", \"eu-west-1c\"]. Listed explicitly so the network never changes shape when AWS adds a zone. RDS Multi-AZ and ElastiCache failover need at least 2."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list 2 or 3 distinct zones."
  }
}

variable "single_nat_gateway" {
  description = "Use one NAT gateway for all private subnets instead of one per AZ. Cheaper (each NAT gateway is billed hourly plus per GB) but an AZ outage then cuts egress for every AZ."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key used to encrypt the VPC flow log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "flow_log_retention_days" {
  description = "How long VPC flow logs are kept in CloudWatch Logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be one of the retention periods CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags added to every resource, merged over the module defaults."
  type        = map(string)
  default     = {}
}
