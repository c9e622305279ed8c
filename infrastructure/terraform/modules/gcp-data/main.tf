# Stateful services on GCP: Cloud SQL for PostgreSQL and Memorystore for Redis,
# both on private IPs only, a Cloud Storage bucket, and the app secrets in
# Secret Manager.
locals {
  labels = merge({ "module" = "gcp-data" }, var.labels)
}

resource "random_password" "database" {
  length  = 40
  special = false # embedded in a URL
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

# Cloud SQL instance names cannot be reused for a week after deletion, so a
# random suffix keeps re-creation (e.g. a restore into a new instance) painless.
resource "random_id" "db_suffix" {
  byte_length = 3
}

# --- Cloud SQL for PostgreSQL ---------------------------------------------------------------

resource "google_sql_database_instance" "postgres" {
  #checkov:skip=CKV_GCP_6:ssl_mode ENCRYPTED_ONLY rejects every unencrypted connection; requiring client certificates as well would mean distributing per-client certs, and the instance has no public IP.
  #checkov:skip=CKV_GCP_79:The major version is a deliberate choice (variable postgres_version, the version the app is tested against); major upgrades are planned, not automatic.
  project          = var.project_id
  name             = "${var.name}-pg-${random_id.db_suffix.hex}"
  region           = var.region
  database_version = var.postgres_version

  # Terraform-level guard: `terraform destroy` fails while this is true.
  deletion_protection = var.deletion_protection

  settings {
    edition           = "ENTERPRISE"
    tier              = var.db_tier
    availability_type = var.db_high_availability ? "REGIONAL" : "ZONAL"

    disk_type             = "PD_SSD"
    disk_size             = var.db_disk_size_gb
    disk_autoresize       = true
    disk_autoresize_limit = var.db_disk_autoresize_limit_gb

    # API-level guard: the instance cannot be deleted from the console either.
    deletion_protection_enabled = var.deletion_protection
    retain_backups_on_delete    = true

    ip_configuration {
      ipv4_enabled    = false # no public IP at all
      private_network = var.network_id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "02:00" # UTC
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = var.db_backup_retention_count
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 7 # Sunday
      hour         = 3 # UTC
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = false
      record_client_address   = false
    }

    # Log what an incident review needs (connections, locks, temp files,
    # checkpoints) but no statements: statements can contain personal data.
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_duration"
      value = "on"
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }

    user_labels = local.labels
  }

  depends_on = [var.private_services_connection]
}

resource "google_sql_database" "app" {
  project  = var.project_id
  instance = google_sql_database_instance.postgres.name
  name     = var.database_name
}

resource "google_sql_user" "app" {
  project  = var.project_id
  instance = google_sql_database_instance.postgres.name
  name     = var.database_username
  password = random_password.database.result
}

# --- Memorystore for Redis ---------------------------------------------------------------------

resource "google_redis_instance" "cache" {
  project        = var.project_id
  name           = "${var.name}-redis"
  region         = var.region
  tier           = var.redis_tier
  memory_size_gb = var.redis_memory_size_gb
  redis_version  = "REDIS_7_2"

  authorized_network = var.network_id
  connect_mode       = "PRIVATE_SERVICE_ACCESS"

  # Require AUTH and TLS. The server certificate is signed by a per-instance
  # CA (see server_ca_certs), which the app is given to verify the server.
  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"

  persistence_config {
    persistence_mode    = "RDB"
    rdb_snapshot_period = "TWELVE_HOURS"
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 4
        minutes = 0
      }
    }
  }

  labels = local.labels

  depends_on = [var.private_services_connection]
}

# --- Secrets ---------------------------------------------------------------------------------

locals {
  database_url = format(
    "postgresql+asyncpg://%s:%s@%s:5432/%s?ssl=require",
    var.database_username,
    random_password.database.result,
    google_sql_database_instance.postgres.private_ip_address,
    var.database_name,
  )
  # Port 6378 is Memorystore's TLS port. ssl_ca_certs is passed through by
  # redis-py to the TLS context, so the server certificate is verified.
  redis_url = format(
    "rediss://:%s@%s:%d/0?ssl_cert_reqs=required&ssl_ca_certs=%s",
    google_redis_instance.cache.auth_string,
    google_redis_instance.cache.host,
    google_redis_instance.cache.port,
    var.redis_ca_cert_path,
  )

  # for_each keys must not be derived from sensitive values.
  secret_names = toset(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN", "REDIS_CA_CERT"])
  secret_values = {
    APP_SECRET_KEY           = random_password.app_secret_key.result
    APP_DATABASE_URL         = local.database_url
    APP_REDIS_URL            = local.redis_url
    APP_METRICS_BEARER_TOKEN = random_password.metrics_bearer_token.result
    REDIS_CA_CERT            = google_redis_instance.cache.server_ca_certs[0].cert
  }
}

resource "google_secret_manager_secret" "app" {
  for_each = local.secret_names

  project   = var.project_id
  secret_id = "${var.name}-${lower(replace(each.key, "_", "-"))}"

  # Keep the secret in the app's region (data residency) instead of letting
  # Google pick replica locations.
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  labels = local.labels
}

resource "google_secret_manager_secret_version" "app" {
  for_each = local.secret_names

  secret      = google_secret_manager_secret.app[each.key].id
  secret_data = local.secret_values[each.key]
}

# --- Cloud Storage ------------------------------------------------------------------------------

resource "google_storage_bucket" "app" {
  #checkov:skip=CKV_GCP_62:Data-access audit logs (Cloud Audit Logs) cover object access; legacy usage-log buckets are not needed.
  project  = var.project_id
  name     = "${var.project_id}-${var.name}-app"
  location = upper(var.region)

  # IAM only (no per-object ACLs) and never public.
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  versioning {
    enabled = true
  }

  # Deleted/overwritten objects stay recoverable for 30 days.
  soft_delete_policy {
    retention_duration_seconds = 2592000
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 90
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  labels = local.labels
}
