# OVHcloud Managed Kubernetes (MKS) on a private vRack network with a
# managed gateway for outbound traffic. The managed databases (ovh-databases)
# are attached to the same private network.
resource "ovh_cloud_project_network_private" "this" {
  service_name = var.service_name
  name         = var.name
  vlan_id      = var.vlan_id
  regions      = [var.region]
}

resource "ovh_cloud_project_network_private_subnet" "this" {
  service_name = var.service_name
  network_id   = ovh_cloud_project_network_private.this.id
  region       = var.region
  network      = var.subnet_cidr
  # Leave the first addresses of the range for the gateway and static use.
  start      = cidrhost(var.subnet_cidr, 10)
  end        = cidrhost(var.subnet_cidr, -2)
  dhcp       = true
  no_gateway = false
}

locals {
  # The region-specific OpenStack ID of the network, which MKS and the
  # databases expect.
  openstack_network_id = one(ovh_cloud_project_network_private.this.regions_attributes[*].openstackid)
}

# Managed gateway (SNAT): nodes have no public IPs and still reach the
# internet (image pulls, OS updates).
resource "ovh_cloud_project_gateway" "this" {
  service_name = var.service_name
  name         = "${var.name}-gateway"
  model        = "s"
  region       = var.region
  network_id   = local.openstack_network_id
  subnet_id    = ovh_cloud_project_network_private_subnet.this.id
}

resource "ovh_cloud_project_kube" "this" {
  service_name = var.service_name
  name         = var.name
  region       = var.region
  plan         = var.cluster_plan
  version      = var.kubernetes_version

  private_network_id = local.openstack_network_id
  nodes_subnet_id    = ovh_cloud_project_network_private_subnet.this.id

  # Route node egress through the subnet's gateway (advertised by DHCP)
  # instead of per-node public interfaces.
  private_network_configuration {
    default_vrack_gateway              = ""
    private_network_routing_as_default = true
  }

  # Patch releases are applied with rolling node replacement.
  update_policy = "MINIMAL_DOWNTIME"

  customization_apiserver {
    admissionplugins {
      # AlwaysPullImages: a pod cannot use a private image another tenant's
      # pod pulled onto the node without having pull credentials itself.
      enabled = ["NodeRestriction", "AlwaysPullImages"]
    }
  }

  depends_on = [ovh_cloud_project_gateway.this]
}

resource "ovh_cloud_project_kube_iprestrictions" "this" {
  service_name = var.service_name
  kube_id      = ovh_cloud_project_kube.this.id
  ips          = var.api_allowed_cidrs
}

resource "ovh_cloud_project_kube_nodepool" "default" {
  service_name = var.service_name
  kube_id      = ovh_cloud_project_kube.this.id
  name         = "${var.name}-default"
  flavor_name  = var.node_flavor

  autoscale     = true
  min_nodes     = var.node_min_count
  max_nodes     = var.node_max_count
  desired_nodes = var.node_min_count

  # Spread nodes over different hypervisors: one host failure takes down at
  # most one node.
  anti_affinity  = true
  monthly_billed = var.monthly_billed_nodes

  template {
    metadata {
      annotations = {}
      finalizers  = []
      labels = {
        pool = "default"
      }
    }
    spec {
      unschedulable = false
      taints        = []
    }
  }

  lifecycle {
    # The autoscaler changes the node count.
    ignore_changes = [desired_nodes]
  }
}
