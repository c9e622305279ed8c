# The reference app on DigitalOcean App Platform:
#   web     - service behind App Platform's managed HTTPS edge (TLS certificates, CDN)
#   migrate - PRE_DEPLOY job: runs before every deployment; if it fails, the
#             deployment is aborted and the previous version keeps serving
#   worker, beat - optional Celery processes
# Secrets are App Platform env vars of type SECRET (encrypted at rest, never
# shown in the UI or the API after creation).
locals {
  image = {
    registry_type = var.image_registry_type
    registry      = var.image_registry_type == "DOCR" ? null : var.image_registry
    repository    = var.image_repository
    tag           = var.image_tag
  }

  plain_env = {
    APP_ENVIRONMENT  = "production"
    APP_CORS_ORIGINS = jsonencode(var.cors_origins)
    APP_LOG_LEVEL    = var.log_level
  }

  celery_workers = var.enable_worker ? {
    worker = "celery -A reference_app.jobs.celery_app worker"
    beat   = "celery -A reference_app.jobs.celery_app beat --schedule /tmp/celerybeat-schedule"
  } : {}
}

# Generated here (not in the data module) because only App Platform needs it
# as an env var; on DOKS the doks module generates its own.
resource "random_password" "app_secret_key" {
  length  = 64
  special = false
}

# Bearer token of GET /metrics: production refuses to start without one, and
# whatever scrapes the app (Prometheus, an OpenTelemetry collector) sends it.
resource "random_password" "metrics_bearer_token" {
  length  = 48 # the app requires >= 16 characters
  special = false
}

resource "digitalocean_app" "this" {
  spec {
    name   = var.name
    region = var.region

    # Egress into the VPC so the private database hostnames resolve and are
    # reachable; databases accept no public connections from the app.
    vpc {
      id = var.vpc_id
    }

    dynamic "domain" {
      for_each = var.domain == null ? [] : [var.domain]
      content {
        name = domain.value
        type = "PRIMARY"
      }
    }

    alert {
      rule = "DEPLOYMENT_FAILED"
    }

    alert {
      rule = "DOMAIN_FAILED"
    }

    # App-level variables are visible to every component (web, job, workers).
    dynamic "env" {
      for_each = local.plain_env
      content {
        key   = env.key
        value = env.value
        scope = "RUN_TIME"
        type  = "GENERAL"
      }
    }

    env {
      key   = "APP_SECRET_KEY"
      value = random_password.app_secret_key.result
      scope = "RUN_TIME"
      type  = "SECRET"
    }

    env {
      key   = "APP_DATABASE_URL"
      value = var.database_url
      scope = "RUN_TIME"
      type  = "SECRET"
    }

    env {
      key   = "APP_REDIS_URL"
      value = var.redis_url
      scope = "RUN_TIME"
      type  = "SECRET"
    }

    # Without it, production refuses to start: GET /metrics is routed to the
    # internet like every path, so it answers only this bearer token.
    env {
      key   = "APP_METRICS_BEARER_TOKEN"
      value = random_password.metrics_bearer_token.result
      scope = "RUN_TIME"
      type  = "SECRET"
    }

    service {
      name               = "web"
      instance_size_slug = var.instance_size_slug
      http_port          = 8000
      run_command        = "reference-app serve --host 0.0.0.0 --port 8000"

      image {
        registry_type = local.image.registry_type
        registry      = local.image.registry
        repository    = local.image.repository
        tag           = local.image.tag
      }

      autoscaling {
        min_instance_count = var.min_instances
        max_instance_count = var.max_instances
        metrics {
          cpu {
            percent = 70
          }
        }
      }

      # Readiness: App Platform only routes to instances that pass, and a
      # deployment whose new instances never pass is rolled back.
      health_check {
        http_path             = "/api/v1/health/ready"
        port                  = 8000
        initial_delay_seconds = 10
        period_seconds        = 10
        timeout_seconds       = 3
        failure_threshold     = 3
        success_threshold     = 1
      }

      alert {
        rule     = "CPU_UTILIZATION"
        operator = "GREATER_THAN"
        value    = 85
        window   = "TEN_MINUTES"
      }
    }

    ingress {
      rule {
        component {
          name = "web"
        }
        match {
          path {
            prefix = "/"
          }
        }
      }
    }

    job {
      name               = "migrate"
      kind               = "PRE_DEPLOY"
      instance_size_slug = "apps-s-1vcpu-1gb"
      run_command        = "reference-app migrate"

      image {
        registry_type = local.image.registry_type
        registry      = local.image.registry
        repository    = local.image.repository
        tag           = local.image.tag
      }
    }

    dynamic "worker" {
      for_each = local.celery_workers
      content {
        name               = worker.key
        instance_size_slug = "apps-s-1vcpu-1gb"
        instance_count     = 1 # one beat only; scale the worker by raising this
        run_command        = worker.value

        image {
          registry_type = local.image.registry_type
          registry      = local.image.registry
          repository    = local.image.repository
          tag           = local.image.tag
        }
      }
    }
  }
}

# Trusted sources: only this app may connect to the databases (in addition
# to private networking). A cluster has exactly one firewall resource.
resource "digitalocean_database_firewall" "postgres" {
  cluster_id = var.postgres_cluster_id

  rule {
    type  = "app"
    value = digitalocean_app.this.id
  }
}

resource "digitalocean_database_firewall" "valkey" {
  cluster_id = var.valkey_cluster_id

  rule {
    type  = "app"
    value = digitalocean_app.this.id
  }
}
