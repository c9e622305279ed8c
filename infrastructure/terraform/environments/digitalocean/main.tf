# Production environment of the reference app on DigitalOcean.
locals {
  name = "workbook-${var.environment == "production" ? "prod" : "stg"}"
  tags = distinct(concat(var.tags, ["fastapi-production-workbook", "env-${var.environment}", "managed-by-terraform"]))

  # App Platform uses region *groups* ("fra") that contain datacenters ("fra1").
  app_platform_region = substr(var.region, 0, 3)
}

module "data" {
  source = "../../modules/digitalocean-data"

  name                = local.name
  region              = var.region
  postgres_node_count = var.environment == "production" ? 2 : 1
  valkey_node_count   = var.environment == "production" ? 2 : 1
  tags                = local.tags
}

module "app_platform" {
  source = "../../modules/digitalocean-app-platform"
  count  = var.platform == "app-platform" ? 1 : 0

  name                = local.name
  region              = local.app_platform_region
  vpc_id              = module.data.vpc_id
  image_repository    = var.image_repository
  image_tag           = var.image_tag
  database_url        = module.data.database_url
  redis_url           = module.data.redis_url
  postgres_cluster_id = module.data.postgres_cluster_id
  valkey_cluster_id   = module.data.valkey_cluster_id
  domain              = var.domain
  cors_origins        = var.cors_origins
  enable_worker       = var.enable_worker
}

module "doks" {
  source = "../../modules/digitalocean-doks"
  count  = var.platform == "doks" ? 1 : 0

  name                = local.name
  region              = var.region
  vpc_id              = module.data.vpc_id
  api_allowed_cidrs   = var.doks_api_allowed_cidrs
  postgres_cluster_id = module.data.postgres_cluster_id
  valkey_cluster_id   = module.data.valkey_cluster_id
  database_url        = module.data.database_url
  redis_url           = module.data.redis_url
  tags                = local.tags
}
