# The reference app on Cloud Run:
#   web     - Cloud Run service (HTTPS endpoint, autoscaled on requests)
#   migrate - Cloud Run job, executed before every rollout
#   worker, beat - Cloud Run worker pools (optional, for Celery)
# All of them reach Cloud SQL and Memorystore through Direct VPC egress and
# read their secrets from Secret Manager as the same dedicated service account.
locals {
  labels = merge({ "module" = "gcp-cloud-run" }, var.labels)
  port   = 8000

  plain_env = {
    APP_ENVIRONMENT  = "production"
    APP_CORS_ORIGINS = jsonencode(var.cors_origins)
    APP_LOG_LEVEL    = var.log_level
  }
  # Environment variables resolved from Secret Manager when an instance starts.
  # APP_METRICS_BEARER_TOKEN: production serves GET /metrics only with it.
  secret_env = ["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"]

  celery_processes = var.enable_worker ? {
    worker = {
      args      = ["-A", "reference_app.jobs.celery_app", "worker"]
      instances = 1
    }
    beat = {
      # beat keeps its schedule in a file; /tmp is writable on Cloud Run.
      args      = ["-A", "reference_app.jobs.celery_app", "beat", "--schedule", "/tmp/celerybeat-schedule"]
      instances = 1 # exactly one scheduler, or periodic jobs run twice
    }
  } : {}
}

# --- Identity and permissions ----------------------------------------------------------------
# A dedicated runtime identity instead of the default compute service account
# (which has Editor on the whole project).
resource "google_service_account" "app" {
  project      = var.project_id
  account_id   = "${var.name}-run"
  display_name = "Reference app on Cloud Run (${var.name})"
}

resource "google_secret_manager_secret_iam_member" "app" {
  for_each = var.secret_ids

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.app.member
}

resource "google_storage_bucket_iam_member" "app" {
  bucket = var.bucket_name
  role   = "roles/storage.objectUser"
  member = google_service_account.app.member
}

# Write logs, metrics and traces; nothing else at project level.
resource "google_project_iam_member" "app_telemetry" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.app.member
}

# --- Migrations -----------------------------------------------------------------------------------

resource "google_cloud_run_v2_job" "migrate" {
  project             = var.project_id
  name                = "${var.name}-migrate"
  location            = var.region
  launch_stage        = "GA"
  deletion_protection = var.deletion_protection

  template {
    task_count  = 1
    parallelism = 1

    template {
      service_account       = google_service_account.app.email
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"
      timeout               = "900s"
      # A failed migration is investigated, not blindly retried.
      max_retries = 0

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = var.network_id
          subnetwork = var.subnet_id
        }
      }

      containers {
        image   = var.container_image
        command = ["reference-app"]
        args    = ["migrate"]

        resources {
          limits = {
            cpu    = "1"
            memory = "512Mi"
          }
        }

        dynamic "env" {
          for_each = local.plain_env
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = toset(local.secret_env)
          content {
            name = env.value
            value_source {
              secret_key_ref {
                secret  = var.secret_ids[env.value]
                version = "latest"
              }
            }
          }
        }

        volume_mounts {
          name       = "redis-ca"
          mount_path = dirname(var.redis_ca_cert_path)
        }
      }

      volumes {
        name = "redis-ca"
        secret {
          secret = var.secret_ids["REDIS_CA_CERT"]
          items {
            version = "latest"
            path    = basename(var.redis_ca_cert_path)
          }
        }
      }
    }
  }

  labels = local.labels

  depends_on = [google_secret_manager_secret_iam_member.app]
}

# Runs the job whenever its image changes and fails the apply if it fails;
# the web service depends on this, so a new revision only rolls out after
# the schema is up to date.
resource "terraform_data" "migrate" {
  count = var.run_migrations_on_apply ? 1 : 0

  triggers_replace = [google_cloud_run_v2_job.migrate.template[0].template[0].containers[0].image]

  provisioner "local-exec" {
    command = "gcloud run jobs execute ${google_cloud_run_v2_job.migrate.name} --project ${var.project_id} --region ${var.region} --wait"
  }
}

# --- Web service -------------------------------------------------------------------------------------

resource "google_cloud_run_v2_service" "web" {
  project             = var.project_id
  name                = "${var.name}-web"
  location            = var.region
  launch_stage        = "GA"
  deletion_protection = var.deletion_protection
  ingress             = "INGRESS_TRAFFIC_ALL"

  template {
    service_account                  = google_service_account.app.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    timeout                          = "60s"
    max_instance_request_concurrency = var.concurrency

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    # Direct VPC egress: only private ranges (Cloud SQL, Memorystore) go
    # through the VPC; calls to public APIs leave directly.
    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = var.network_id
        subnetwork = var.subnet_id
      }
    }

    containers {
      image   = var.container_image
      command = ["reference-app"]
      args    = ["serve", "--host", "0.0.0.0", "--port", tostring(local.port)]

      ports {
        name           = "http1"
        container_port = local.port
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # CPU only while handling requests (request-based billing), with a
        # boost during start-up to shorten cold starts.
        cpu_idle          = true
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.secret_env)
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = var.secret_ids[env.value]
              version = "latest"
            }
          }
        }
      }

      # Traffic is only sent once start-up succeeds; Cloud Run has no
      # separate readiness probe, so /ready is left to external monitoring.
      startup_probe {
        http_get {
          path = "/api/v1/health/startup"
          port = local.port
        }
        period_seconds    = 5
        timeout_seconds   = 3
        failure_threshold = 24 # up to 2 minutes to start
      }

      liveness_probe {
        http_get {
          path = "/api/v1/health/live"
          port = local.port
        }
        period_seconds    = 30
        timeout_seconds   = 3
        failure_threshold = 3
      }

      volume_mounts {
        name       = "redis-ca"
        mount_path = dirname(var.redis_ca_cert_path)
      }
    }

    volumes {
      name = "redis-ca"
      secret {
        secret = var.secret_ids["REDIS_CA_CERT"]
        items {
          version = "latest"
          path    = basename(var.redis_ca_cert_path)
        }
      }
    }

    labels = local.labels
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  labels = local.labels

  depends_on = [google_secret_manager_secret_iam_member.app, terraform_data.migrate]
}

resource "google_cloud_run_v2_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:This is a public HTTP API; authentication happens in the application. Set allow_public_access = false to put a load balancer with IAP in front instead.
  count = var.allow_public_access ? 1 : 0

  project  = var.project_id
  location = google_cloud_run_v2_service.web.location
  name     = google_cloud_run_v2_service.web.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Celery worker and beat --------------------------------------------------------------------
# Worker pools run always-on instances without an HTTP endpoint, which is
# what a queue consumer needs.
resource "google_cloud_run_v2_worker_pool" "celery" {
  for_each = local.celery_processes

  project             = var.project_id
  name                = "${var.name}-${each.key}"
  location            = var.region
  launch_stage        = "BETA"
  deletion_protection = var.deletion_protection

  scaling {
    manual_instance_count = each.value.instances
  }

  template {
    service_account = google_service_account.app.email

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = var.network_id
        subnetwork = var.subnet_id
      }
    }

    containers {
      image   = var.container_image
      command = ["celery"]
      args    = each.value.args

      resources {
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
      }

      dynamic "env" {
        for_each = local.plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.secret_env)
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = var.secret_ids[env.value]
              version = "latest"
            }
          }
        }
      }

      volume_mounts {
        name       = "redis-ca"
        mount_path = dirname(var.redis_ca_cert_path)
      }
    }

    volumes {
      name = "redis-ca"
      secret {
        secret = var.secret_ids["REDIS_CA_CERT"]
        items {
          version = "latest"
          path    = basename(var.redis_ca_cert_path)
        }
      }
    }

    labels = local.labels
  }

  labels = local.labels

  depends_on = [google_secret_manager_secret_iam_member.app, terraform_data.migrate]
}
