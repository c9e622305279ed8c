# Production environment of the reference app on OVHcloud: Managed
# Kubernetes plus Managed Databases on one private network. The app is
# deployed into the cluster with Kubernetes manifests afterwards.
locals {
  name = "workbook-${var.environment == "production" ? "prod" : "stg"}"

  labels = merge(var.labels, {
    project     = "fastapi-production-workbook"
    environment = var.environment
    managed-by  = "terraform"
  })
}

module "kubernetes" {
  source = "../../modules/ovh-kubernetes"

  service_name      = var.service_name
  name              = local.name
  region            = var.region
  cluster_plan      = var.environment == "production" ? "standard" : "free"
  api_allowed_cidrs = var.api_allowed_cidrs
}

module "databases" {
  source = "../../modules/ovh-databases"

  service_name       = var.service_name
  name               = local.name
  database_region    = var.database_region
  key_manager_region = var.region
  private_network_id = module.kubernetes.private_network_id
  subnet_id          = module.kubernetes.subnet_id
  allowed_cidrs      = [module.kubernetes.subnet_cidr]
  postgres_plan      = var.environment == "production" ? "business" : "essential"
  valkey_plan        = var.environment == "production" ? "business" : "essential"
  labels             = local.labels
}
