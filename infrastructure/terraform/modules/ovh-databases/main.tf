# OVHcloud Managed Databases for PostgreSQL and for Valkey (the
# Redis-compatible engine that replaced OVHcloud's Redis offer), attached to
# the Kubernetes private network and reachable only from its subnet. Services
# are encrypted at rest, require TLS, and are backed up daily by OVHcloud.
locals {
  labels = merge({ "module" = "ovh-databases" }, var.labels)

  postgres_node_count = { essential = 1, business = 2, enterprise = 3 }[var.postgres_plan]
  valkey_node_count   = { essential = 1, business = 2 }[var.valkey_plan]
}

resource "ovh_cloud_project_database" "postgres" {
  service_name        = var.service_name
  description         = "${var.name}-pg"
  engine              = "postgresql"
  version             = var.postgres_version
  plan                = var.postgres_plan
  flavor              = var.postgres_flavor
  deletion_protection = var.deletion_protection
  backup_time         = "02:00:00"
  maintenance_time    = "03:00:00"

  dynamic "nodes" {
    for_each = range(local.postgres_node_count)
    content {
      region     = var.database_region
      network_id = var.private_network_id
      subnet_id  = var.subnet_id
    }
  }

  dynamic "ip_restrictions" {
    for_each = toset(var.allowed_cidrs)
    content {
      description = "Kubernetes nodes"
      ip          = ip_restrictions.value
    }
  }
}

resource "ovh_cloud_project_database_database" "app" {
  service_name = var.service_name
  engine       = ovh_cloud_project_database.postgres.engine
  cluster_id   = ovh_cloud_project_database.postgres.id
  name         = var.database_name
}

# OVHcloud generates the password; it lives only in the Terraform state and
# the Key Manager secret below.
resource "ovh_cloud_project_database_postgresql_user" "app" {
  service_name = var.service_name
  cluster_id   = ovh_cloud_project_database.postgres.id
  name         = var.database_username
}

resource "ovh_cloud_project_database" "valkey" {
  service_name        = var.service_name
  description         = "${var.name}-valkey"
  engine              = "valkey"
  version             = "8.0"
  plan                = var.valkey_plan
  flavor              = var.valkey_flavor
  deletion_protection = var.deletion_protection
  maintenance_time    = "04:00:00"

  dynamic "nodes" {
    for_each = range(local.valkey_node_count)
    content {
      region     = var.database_region
      network_id = var.private_network_id
      subnet_id  = var.subnet_id
    }
  }

  dynamic "ip_restrictions" {
    for_each = toset(var.allowed_cidrs)
    content {
      description = "Kubernetes nodes"
      ip          = ip_restrictions.value
    }
  }
}

# A dedicated user instead of "default", limited to what Celery and the
# cache need (everything except administrative/dangerous commands).
resource "ovh_cloud_project_database_valkey_user" "app" {
  service_name = var.service_name
  cluster_id   = ovh_cloud_project_database.valkey.id
  name         = "reference-app"
  categories   = ["+@all", "-@admin", "-@dangerous"]
  commands     = ["+info", "+flushdb"]
  channels     = ["*"]
  keys         = ["*"]
}

# --- Connection strings and secrets -------------------------------------------------------------

locals {
  postgres_endpoint = one([for e in ovh_cloud_project_database.postgres.endpoints : e if e.component == "postgresql"])
  valkey_endpoint   = one([for e in ovh_cloud_project_database.valkey.endpoints : e if e.component == "valkey"])

  database_url = format(
    "postgresql+asyncpg://%s:%s@%s:%d/%s?ssl=require",
    ovh_cloud_project_database_postgresql_user.app.name,
    urlencode(ovh_cloud_project_database_postgresql_user.app.password),
    local.postgres_endpoint.domain,
    local.postgres_endpoint.port,
    ovh_cloud_project_database_database.app.name,
  )
  redis_url = format(
    "rediss://%s:%s@%s:%d/0",
    ovh_cloud_project_database_valkey_user.app.name,
    urlencode(ovh_cloud_project_database_valkey_user.app.password),
    local.valkey_endpoint.domain,
    local.valkey_endpoint.port,
  )

  # for_each keys must not be derived from sensitive values.
  app_secret_names = toset(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"])
  app_secrets = {
    APP_SECRET_KEY           = random_password.app_secret_key.result
    APP_DATABASE_URL         = local.database_url
    APP_REDIS_URL            = local.redis_url
    APP_METRICS_BEARER_TOKEN = random_password.metrics_bearer_token.result
  }
}

resource "random_password" "app_secret_key" {
  length  = 64 # the app requires >= 32 characters
  special = false
}

# Bearer token of GET /metrics: production refuses to start without one, and
# whatever scrapes the app (Prometheus, an OpenTelemetry collector) sends it.
resource "random_password" "metrics_bearer_token" {
  length  = 48 # the app requires >= 16 characters
  special = false
}

# The system of record for the app secrets is the project's Key Manager
# (OpenStack Barbican); the deploy pipeline copies them into a Kubernetes
# Secret (see environments/ovh/README.md).
resource "ovh_cloud_key_manager_secret" "app" {
  for_each = local.app_secret_names

  service_name         = var.service_name
  region               = var.key_manager_region
  name                 = "${var.name}-${lower(replace(each.key, "_", "-"))}"
  secret_type          = "OPAQUE"
  payload              = base64encode(local.app_secrets[each.key])
  payload_content_type = "APPLICATION_OCTET_STREAM"

  metadata = merge(local.labels, { env_var = each.key })
}
