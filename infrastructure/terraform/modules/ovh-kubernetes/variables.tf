variable "service_name" {
  description = "ID of the OVHcloud Public Cloud project."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.service_name))
    error_message = "service_name must be the 32-character hexadecimal Public Cloud project ID."
  }
}

variable "name" {
  description = "Name prefix for every resource in this module (e.g. \"workbook-prod\"). No underscores: node pool names reject them."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,28}[a-z0-9]$", var.name))
    error_message = "name must be 4-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Public Cloud region of the network and the cluster (e.g. GRA11, SBG5, BHS5, or EU-WEST-PAR for 3 AZs)."
  type        = string

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9-]+$", var.region))
    error_message = "region must be an OVHcloud region code such as GRA11."
  }
}

variable "vlan_id" {
  description = "vRack VLAN ID of the private network (unique per vRack)."
  type        = number
  default     = 42

  validation {
    condition     = var.vlan_id >= 1 && var.vlan_id <= 4000
    error_message = "vlan_id must be between 1 and 4000."
  }
}

variable "subnet_cidr" {
  description = "Private subnet of the nodes and the managed databases."
  type        = string
  default     = "10.70.0.0/20"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be a valid IPv4 CIDR block."
  }
}

variable "cluster_plan" {
  description = "MKS plan: \"standard\" has a financially backed SLA and a dedicated etcd (billed per hour); \"free\" has no control plane cost and no SLA."
  type        = string
  default     = "standard"

  validation {
    condition     = contains(["free", "standard"], var.cluster_plan)
    error_message = "cluster_plan must be free or standard."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version, e.g. \"1.33\". OVHcloud applies patch releases according to update_policy."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like \"1.33\"."
  }
}

variable "api_allowed_cidrs" {
  description = "Addresses allowed to reach the Kubernetes API (office, VPN, CI runners)."
  type        = list(string)

  validation {
    condition     = length(var.api_allowed_cidrs) > 0 && alltrue([for cidr in var.api_allowed_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "api_allowed_cidrs must list at least one valid CIDR block and must not be 0.0.0.0/0."
  }
}

variable "node_flavor" {
  description = "Instance flavor of the nodes (b3-8 = 2 vCPU / 8 GB general purpose)."
  type        = string
  default     = "b3-8"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[0-9]+$", var.node_flavor))
    error_message = "node_flavor must be an OVHcloud flavor name such as b3-8."
  }
}

variable "node_min_count" {
  description = "Minimum nodes of the autoscaled pool."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_count >= 1
    error_message = "node_min_count must be at least 1."
  }
}

variable "node_max_count" {
  description = "Maximum nodes of the autoscaled pool (anti-affinity pools are limited to 5)."
  type        = number
  default     = 5

  validation {
    condition     = var.node_max_count >= var.node_min_count && var.node_max_count <= 5
    error_message = "node_max_count must be >= node_min_count and at most 5 (anti-affinity limit)."
  }
}

variable "monthly_billed_nodes" {
  description = "Bill nodes monthly instead of hourly: ~50% cheaper for nodes that run all month, but the pool cannot scale them away."
  type        = bool
  default     = false
}
