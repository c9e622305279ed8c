# Production environment of the reference app on Google Cloud.
locals {
  name = "workbook-${var.environment == "production" ? "prod" : "stg"}"

  labels = merge(var.labels, {
    project     = "fastapi-production-workbook"
    environment = var.environment
    managed-by  = "terraform"
  })

  # Must be identical in gcp-data (inside APP_REDIS_URL) and in the compute
  # module (where the CA certificate is mounted).
  redis_ca_cert_path = "/secrets/redis-ca/ca.pem"
}

# APIs the environment uses. disable_on_destroy = false: removing this
# configuration must never switch off an API other workloads may rely on.
resource "google_project_service" "apis" {
  for_each = toset([
    "compute.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "run.googleapis.com",
    "container.googleapis.com",
    "artifactregistry.googleapis.com",
  ])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "network" {
  source = "../../modules/gcp-network"

  project_id = var.project_id
  region     = var.region
  name       = local.name
  labels     = local.labels

  depends_on = [google_project_service.apis]
}

module "data" {
  source = "../../modules/gcp-data"

  project_id                  = var.project_id
  region                      = var.region
  name                        = local.name
  network_id                  = module.network.network_id
  private_services_connection = module.network.private_services_connection
  db_high_availability        = var.environment == "production"
  redis_ca_cert_path          = local.redis_ca_cert_path
  labels                      = local.labels
}

module "cloud_run" {
  source = "../../modules/gcp-cloud-run"
  count  = var.platform == "cloud-run" ? 1 : 0

  project_id         = var.project_id
  region             = var.region
  name               = local.name
  container_image    = var.container_image
  network_id         = module.network.network_id
  subnet_id          = module.network.subnet_id
  secret_ids         = module.data.secret_ids
  redis_ca_cert_path = local.redis_ca_cert_path
  bucket_name        = module.data.bucket_name
  cors_origins       = var.cors_origins
  enable_worker      = var.enable_worker
  labels             = local.labels
}

module "gke" {
  source = "../../modules/gcp-gke"
  count  = var.platform == "gke" ? 1 : 0

  project_id              = var.project_id
  region                  = var.region
  name                    = local.name
  network_id              = module.network.network_id
  subnet_id               = module.network.subnet_id
  pods_range_name         = module.network.pods_range_name
  services_range_name     = module.network.services_range_name
  master_authorized_cidrs = var.gke_master_authorized_cidrs
  secret_ids              = module.data.secret_ids
  bucket_name             = module.data.bucket_name
  labels                  = local.labels
}
