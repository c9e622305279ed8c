# DOKS (DigitalOcean Kubernetes) alternative to App Platform. The app is
# deployed with Kubernetes manifests/Helm afterwards. DigitalOcean has no
# secret manager service, so the app's secrets are exported as a sensitive
# output that the deploy pipeline turns into a Kubernetes Secret.
locals {
  tags = distinct(concat(["reference-app", "module-digitalocean-doks"], var.tags))
}

data "digitalocean_kubernetes_versions" "this" {
  version_prefix = var.kubernetes_version_prefix
}

resource "digitalocean_kubernetes_cluster" "this" {
  name     = var.name
  region   = var.region
  version  = data.digitalocean_kubernetes_versions.this.latest_version
  vpc_uuid = var.vpc_id
  ha       = var.ha_control_plane

  # Patch releases are applied automatically in the maintenance window;
  # surge upgrades add new nodes before draining old ones (no capacity dip).
  auto_upgrade  = true
  surge_upgrade = true

  # Lets nodes pull from the account's DigitalOcean Container Registry.
  registry_integration = true

  maintenance_policy {
    day        = "sunday"
    start_time = "03:00"
  }

  control_plane_firewall {
    enabled           = true
    allowed_addresses = var.api_allowed_cidrs
  }

  node_pool {
    name       = "${var.name}-default"
    size       = var.node_size
    auto_scale = true
    min_nodes  = var.node_min_count
    max_nodes  = var.node_max_count
    tags       = local.tags
    labels = {
      pool = "default"
    }
  }

  tags = local.tags

  lifecycle {
    # A Kubernetes minor upgrade is a deliberate change of kubernetes_version_prefix,
    # not something that should happen because a new patch release appeared.
    ignore_changes = [version]
  }
}

resource "digitalocean_database_firewall" "postgres" {
  cluster_id = var.postgres_cluster_id

  rule {
    type  = "k8s"
    value = digitalocean_kubernetes_cluster.this.id
  }
}

resource "digitalocean_database_firewall" "valkey" {
  cluster_id = var.valkey_cluster_id

  rule {
    type  = "k8s"
    value = digitalocean_kubernetes_cluster.this.id
  }
}

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
