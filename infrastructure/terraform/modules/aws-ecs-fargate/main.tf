# The reference app on ECS Fargate behind an Application Load Balancer.
#
#   internet --443--> ALB (public subnets, WAF) --8000--> Fargate tasks (private subnets)
#                                                             |--> RDS / ElastiCache (data-clients SG)
#                                                             '--> Secrets Manager, ECR, CloudWatch (via NAT)
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  tags           = merge({ "module" = "aws-ecs-fargate" }, var.tags)
  container_name = "app"
  container_port = 8000

  # One task definition per process type; they share the image, the
  # environment and the secrets and differ only in their command.
  processes = {
    web = {
      command = ["reference-app", "serve", "--host", "0.0.0.0", "--port", tostring(local.container_port)]
      serves  = true
    }
    migrate = {
      command = ["reference-app", "migrate"]
      serves  = false
    }
    worker = {
      command = ["celery", "-A", "reference_app.jobs.celery_app", "worker"]
      serves  = false
    }
    beat = {
      # beat keeps its schedule in a file; the root filesystem is read-only,
      # so point it at the writable /tmp volume.
      command = ["celery", "-A", "reference_app.jobs.celery_app", "beat", "--schedule", "/tmp/celerybeat-schedule"]
      serves  = false
    }
  }

  environment = [
    { name = "APP_ENVIRONMENT", value = "production" },
    { name = "APP_CORS_ORIGINS", value = jsonencode(var.cors_origins) },
    { name = "APP_LOG_LEVEL", value = var.log_level },
  ]

  # ECS resolves these at task start with the execution role; the values
  # never appear in the task definition or the console.
  secrets = [for env_name, arn in var.app_secret_arns : { name = env_name, valueFrom = arn }]

  # Liveness: restart the container if the process hangs. Uses Python from
  # the image itself, so the image needs no curl.
  liveness_check = {
    command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.container_port}/api/v1/health/live', timeout=3)"]
    interval    = 30
    timeout     = 5
    retries     = 3
    startPeriod = 30
  }
}

# --- Cluster ---------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name

  # Container Insights: per-task CPU/memory metrics in CloudWatch. "enhanced"
  # adds per-container detail at a higher metrics cost.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}/app"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

# --- IAM -----------------------------------------------------------------------------------
# Two roles, as ECS intends:
#   execution role - used by the ECS agent to pull the image, write logs and
#                    resolve secrets before the container starts
#   task role      - the identity of the application code itself
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    # Confused-deputy protection: only ECS acting for this account may assume it.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-exec-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "execution_managed" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution_secrets" {
  statement {
    sid       = "ReadAppSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.app_secret_arns)
  }

  statement {
    sid       = "DecryptAppSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution_secrets" {
  name   = "read-app-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution_secrets.json
}

resource "aws_iam_role" "task" {
  name_prefix        = "${var.name}-task-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = local.tags
}

data "aws_iam_policy_document" "task_bucket" {
  statement {
    sid       = "ListAppBucket"
    actions   = ["s3:ListBucket"]
    resources = [var.app_bucket_arn]
  }

  statement {
    sid       = "ReadWriteAppObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.app_bucket_arn}/*"]
  }

  statement {
    sid       = "UseBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "task_bucket" {
  name   = "app-bucket-access"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_bucket.json
}

# --- Task definitions --------------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  for_each = local.processes

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Task-local scratch space mounted at /tmp, so the root filesystem can stay
  # read-only (an attacker cannot drop files next to the application code).
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(
      {
        name                   = local.container_name
        image                  = var.container_image
        essential              = true
        command                = each.value.command
        environment            = local.environment
        secrets                = local.secrets
        readonlyRootFilesystem = true
        privileged             = false
        mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
        # Run an init process as PID 1 so signals reach the app and zombie
        # processes are reaped (graceful shutdown on deploys).
        linuxParameters = { initProcessEnabled = true }
        stopTimeout     = 30
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            awslogs-group         = aws_cloudwatch_log_group.app.name
            awslogs-region        = data.aws_region.current.region
            awslogs-stream-prefix = each.key
          }
        }
      },
      each.value.serves ? {
        portMappings = [{ containerPort = local.container_port, protocol = "tcp", name = "http" }]
        healthCheck  = local.liveness_check
      } : {}
    )
  ])

  tags = merge(local.tags, { process = each.key })
}

# --- Networking -----------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "Public HTTPS entry point of the reference app"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each = toset(var.allowed_ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from clients"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 is open only so browsers get a 301 to HTTPS; the listener never forwards plain HTTP.
  for_each = toset(var.allowed_ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from clients, only ever answered with a redirect to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward requests to the app tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
  referenced_security_group_id = aws_security_group.app.id

  tags = local.tags
}

resource "aws_security_group" "app" {
  name_prefix = "${var.name}-app-"
  description = "Reference app Fargate tasks"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-app" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "HTTP from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = local.container_port
  to_port                      = local.container_port
  referenced_security_group_id = aws_security_group.alb.id

  tags = local.tags
}

# Tasks need HTTPS egress for ECR image pulls, Secrets Manager, CloudWatch
# Logs and S3. Database traffic is allowed by the data-clients group.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs and ECR"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = local.tags
}

# --- Load balancer ---------------------------------------------------------------------------

resource "aws_lb" "this" {
  name               = "${var.name}-alb"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = var.public_subnet_ids

  drop_invalid_header_fields = true # blocks HTTP request smuggling via malformed headers
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60

  access_logs {
    bucket  = var.access_logs_bucket
    prefix  = "alb"
    enabled = true
  }

  tags = local.tags
}

resource "aws_lb_target_group" "web" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the ALB; the hop to the task is inside private subnets and restricted by security groups to the ALB.
  name                 = "${var.name}-web"
  port                 = local.container_port
  protocol             = "HTTP"
  target_type          = "ip" # required for awsvpc networking
  vpc_id               = var.vpc_id
  deregistration_delay = 30 # drain in-flight requests on deploys, but don't wait the default 300 s

  # Readiness, not liveness: a task that cannot reach the database answers
  # 503 and stops receiving traffic, but is not killed for it.
  health_check {
    path                = "/api/v1/health/ready"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = local.tags
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 only answers with a permanent redirect to HTTPS.
  #checkov:skip=CKV_AWS_103:Port 80 only answers with a permanent redirect to HTTPS.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = local.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06" # TLS 1.2+ only
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }

  tags = local.tags
}

# --- Migrations, then rollout -------------------------------------------------------------
# Whenever the migrate task definition changes (new image), run it once and
# wait for exit code 0 *before* the web service is updated: the web service
# depends on this resource. A failed migration fails the apply and the old
# version keeps serving.
resource "terraform_data" "migrate" {
  count = var.run_migrations_on_apply ? 1 : 0

  triggers_replace = [aws_ecs_task_definition.this["migrate"].arn]

  provisioner "local-exec" {
    command     = "${path.module}/scripts/run-one-off-task.sh"
    interpreter = ["bash"]
    environment = {
      AWS_REGION      = data.aws_region.current.region
      CLUSTER         = aws_ecs_cluster.this.name
      TASK_DEFINITION = aws_ecs_task_definition.this["migrate"].arn
      CONTAINER_NAME  = local.container_name
      SUBNETS         = join(",", var.private_subnet_ids)
      SECURITY_GROUPS = join(",", [aws_security_group.app.id, var.data_client_security_group_id])
    }
  }
}

# --- Services -------------------------------------------------------------------------------

resource "aws_ecs_service" "web" {
  name             = "${var.name}-web"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this["web"].arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Rolling deploy: start new tasks first, keep full capacity, roll back
  # automatically if the new tasks never become healthy.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  health_check_grace_period_seconds = 60

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id, var.data_client_security_group_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true
  tags                    = local.tags

  lifecycle {
    # The autoscaler owns the running count after creation.
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, terraform_data.migrate, aws_iam_role_policy.execution_secrets]
}

resource "aws_ecs_service" "worker" {
  count = var.enable_worker ? 1 : 0

  name             = "${var.name}-worker"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this["worker"].arn
  desired_count    = var.worker_count
  platform_version = "LATEST"

  capacity_provider_strategy {
    capacity_provider = var.use_fargate_spot_for_worker ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id, var.data_client_security_group_id]
    assign_public_ip = false
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true
  tags                    = local.tags

  depends_on = [terraform_data.migrate, aws_ecs_cluster_capacity_providers.this]
}

resource "aws_ecs_service" "beat" {
  count = var.enable_worker ? 1 : 0

  name             = "${var.name}-beat"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this["beat"].arn
  desired_count    = 1 # exactly one scheduler, or periodic jobs run twice
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Stop the old scheduler before starting the new one (never two at once).
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id, var.data_client_security_group_id]
    assign_public_ip = false
  }

  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true
  tags                    = local.tags

  depends_on = [terraform_data.migrate]
}

# --- Autoscaling ---------------------------------------------------------------------------

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  tags = local.tags
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "${var.name}-web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "web_requests" {
  name               = "${var.name}-web-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 500 # requests per task per minute
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.web.arn_suffix}"
    }
  }
}
