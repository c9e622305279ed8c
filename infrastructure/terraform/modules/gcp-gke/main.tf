# GKE Autopilot alternative to Cloud Run. Autopilot bills per pod resource
# request (no idle node capacity to pay for), manages node security (COS,
# shielded nodes, auto-repair, auto-upgrade) and enforces a hardened baseline.
# The app is deployed with Kubernetes manifests/Helm afterwards; this module
# provides the cluster and the app's Google identity.
locals {
  labels = merge({ "module" = "gcp-gke" }, var.labels)
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_12:Network policies are enforced by GKE Dataplane V2 (datapath_provider = ADVANCED_DATAPATH); the legacy Calico network_policy block does not apply to Autopilot.
  #checkov:skip=CKV_GCP_21:Labels are set through resource_labels (local.labels); checkov cannot resolve the merged map when the module is called from an environment.
  #checkov:skip=CKV_GCP_13:Autopilot never issues client certificates (issue_client_certificate defaults to false and is not needed here).
  #checkov:skip=CKV_GCP_61:Flow logs are enabled on the subnet (gcp-network); intranode visibility is managed by Autopilot.
  #checkov:skip=CKV_GCP_69:Autopilot always runs the GKE metadata server (Workload Identity); node_config cannot be set.
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Google Workspace domain; access is granted to IAM principals instead.
  project  = var.project_id
  name     = var.name
  location = var.region # regional: control plane and nodes span three zones

  enable_autopilot    = true
  deletion_protection = var.deletion_protection

  network    = var.network_id
  subnetwork = var.subnet_id

  # GKE Dataplane V2 (eBPF): enforces Kubernetes NetworkPolicies natively.
  datapath_provider = "ADVANCED_DATAPATH"

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  # Nodes get private IPs only; egress goes through Cloud NAT.
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
  }

  # kubectl through the DNS endpoint is authenticated by IAM, from anywhere;
  # the IP endpoint only accepts the listed networks.
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false

    dynamic "cidr_blocks" {
      for_each = var.master_authorized_cidrs
      content {
        display_name = cidr_blocks.key
        cidr_block   = cidr_blocks.value
      }
    }
  }

  release_channel {
    channel = var.release_channel
  }

  # Only images allowed by the project's Binary Authorization policy run.
  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  # Secret Manager CSI add-on: pods mount secrets directly from Secret Manager.
  secret_manager_config {
    enabled = true
  }

  security_posture_config {
    mode               = "BASIC"
    vulnerability_mode = "VULNERABILITY_BASIC"
  }

  # Upgrades only on weekend nights (UTC).
  maintenance_policy {
    recurring_window {
      start_time = "2025-01-04T02:00:00Z"
      end_time   = "2025-01-04T08:00:00Z"
      recurrence = "FREQ=WEEKLY;BYDAY=SA,SU"
    }
  }

  resource_labels = local.labels
}

# --- App identity (Workload Identity) -------------------------------------------------------

resource "google_service_account" "app" {
  project      = var.project_id
  account_id   = "${var.name}-gke-app"
  display_name = "Reference app on GKE (${var.name})"
}

# The Kubernetes service account <app_namespace>/<app_service_account> may act
# as the Google service account; no key files anywhere.
resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.app.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.app_namespace}/${var.app_service_account}]"

  depends_on = [google_container_cluster.this] # the identity pool exists once the cluster does
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
