# Stateful services of the application: PostgreSQL (RDS), Redis (ElastiCache),
# an S3 bucket for uploads, a log bucket, and the secrets that tie them together.
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  tags = merge({ "module" = "aws-data" }, var.tags)

  cache_parameter_group = var.cache_engine == "valkey" ? "default.valkey8" : "default.redis7"
  cache_engine_version  = var.cache_engine == "valkey" ? "8.0" : "7.1"
}

# --- Generated credentials ---------------------------------------------------------
# Nothing secret is ever typed into a .tf or .tfvars file. Terraform generates
# the values, hands them to the services and to Secrets Manager. They do end up
# in the Terraform state, which is why the state bucket is encrypted and
# access-controlled (see environments/aws/README.md).
resource "random_password" "database" {
  length = 40
  # Letters and digits only: the password is embedded in a URL
  # (APP_DATABASE_URL) and RDS rejects '/', '@', '"' and spaces.
  special = false
}

resource "random_password" "cache_auth_token" {
  length  = 64
  special = false
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

# --- Network access ------------------------------------------------------------------
# A "client" security group: whatever carries it (ECS tasks, EKS nodes) may
# reach the data stores; nothing else can. The data stores never need to know
# which compute platform is in use.
resource "aws_security_group" "clients" {
  #checkov:skip=CKV2_AWS_5:Attached by the compute module (ECS tasks or EKS nodes), outside this module.
  name_prefix = "${var.name}-data-clients-"
  description = "Members may connect to the application PostgreSQL and Redis"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-data-clients" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "clients_to_postgres" {
  security_group_id            = aws_security_group.clients.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.postgres.id

  tags = local.tags
}

resource "aws_vpc_security_group_egress_rule" "clients_to_cache" {
  security_group_id            = aws_security_group.clients.id
  description                  = "Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.cache.id

  tags = local.tags
}

resource "aws_security_group" "postgres" {
  name_prefix = "${var.name}-postgres-"
  description = "RDS PostgreSQL: reachable only from the data-clients group"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-postgres" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_clients" {
  security_group_id            = aws_security_group.postgres.id
  description                  = "PostgreSQL from application clients"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.clients.id

  tags = local.tags
}

resource "aws_security_group" "cache" {
  name_prefix = "${var.name}-cache-"
  description = "ElastiCache: reachable only from the data-clients group"
  vpc_id      = var.vpc_id

  tags = merge(local.tags, { Name = "${var.name}-cache" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_clients" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Redis from application clients"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.clients.id

  tags = local.tags
}

# --- PostgreSQL (RDS) ------------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  name_prefix = "${var.name}-"
  description = "Isolated database subnets"
  subnet_ids  = var.database_subnet_ids

  tags = local.tags
}

resource "aws_db_parameter_group" "postgres" {
  name_prefix = "${var.name}-postgres${var.postgres_major_version}-"
  family      = "postgres${var.postgres_major_version}"
  description = "Reference app PostgreSQL ${var.postgres_major_version} settings"

  # Refuse unencrypted connections: the app connects with ?ssl=require.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log schema changes (migrations!) and slow queries, not every statement:
  # "all" would log request payloads and cost a lot of CloudWatch ingestion.
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "500" # milliseconds
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

# RDS would create these log groups itself, unencrypted and kept forever.
# Creating them first lets us set KMS encryption and a retention period.
resource "aws_cloudwatch_log_group" "postgres" {
  for_each = toset(["postgresql", "upgrade"])

  name              = "/aws/rds/instance/${var.name}-postgres/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name_prefix        = "${var.name}-rds-monitoring-"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "postgres" {
  identifier     = "${var.name}-postgres"
  engine         = "postgres"
  engine_version = var.postgres_major_version
  instance_class = var.db_instance_class

  allocated_storage     = var.db_allocated_storage_gb
  max_allocated_storage = var.db_max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_name  = var.database_name
  username = var.database_username
  password = random_password.database.result
  port     = 5432

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.postgres.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.postgres.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  # Lets operators log in with short-lived IAM tokens instead of the master password.
  iam_database_authentication_enabled = true

  backup_retention_period   = var.db_backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-postgres-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  # Changes wait for the maintenance window instead of restarting the
  # database in the middle of the day.
  apply_immediately = false

  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7 # the free tier
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.postgres, aws_iam_role_policy_attachment.rds_monitoring]
}

# --- Redis (ElastiCache) ------------------------------------------------------------------

resource "aws_elasticache_subnet_group" "this" {
  name        = "${var.name}-cache"
  description = "Isolated database subnets"
  subnet_ids  = var.database_subnet_ids

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "cache_slow_log" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = local.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = "${var.name}-cache"
  description          = "Reference app cache, rate limits and job broker"

  engine               = var.cache_engine
  engine_version       = local.cache_engine_version
  parameter_group_name = local.cache_parameter_group
  node_type            = var.cache_node_type
  num_cache_clusters   = var.cache_node_count
  port                 = 6379

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.cache.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true # clients must use rediss://
  auth_token                 = random_password.cache_auth_token.result
  auth_token_update_strategy = "ROTATE"

  snapshot_retention_limit   = 7
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:05:00-sun:06:00"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache_slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = local.tags
}

# --- Secrets Manager ---------------------------------------------------------------
# The four values the app reads at start-up. ECS injects them as environment
# variables (task definition "secrets"); on EKS a CSI driver / External
# Secrets reads them with the pod's IAM role.
locals {
  database_url = format(
    "postgresql+asyncpg://%s:%s@%s:%d/%s?ssl=require",
    var.database_username,
    random_password.database.result,
    aws_db_instance.postgres.address,
    aws_db_instance.postgres.port,
    var.database_name,
  )
  # Database 0; rediss:// because in-transit encryption is enabled.
  redis_url = format(
    "rediss://:%s@%s:%d/0",
    random_password.cache_auth_token.result,
    aws_elasticache_replication_group.this.primary_endpoint_address,
    aws_elasticache_replication_group.this.port,
  )

  # for_each keys must not be derived from sensitive values, so the names are
  # listed separately from the (sensitive) values.
  app_secret_names = toset(["APP_SECRET_KEY", "APP_DATABASE_URL", "APP_REDIS_URL", "APP_METRICS_BEARER_TOKEN"])
  app_secrets = {
    APP_SECRET_KEY           = random_password.app_secret_key.result
    APP_DATABASE_URL         = local.database_url
    APP_REDIS_URL            = local.redis_url
    APP_METRICS_BEARER_TOKEN = random_password.metrics_bearer_token.result
  }
}

resource "aws_secretsmanager_secret" "app" {
  for_each = local.app_secret_names
  #checkov:skip=CKV2_AWS_57:Values are generated by Terraform and bound to RDS/ElastiCache; rotate by tainting the random_password and re-applying (documented in the README) rather than with a rotation Lambda.

  name                    = "${var.name}/${lower(replace(each.key, "_", "-"))}"
  description             = "${each.key} for the reference app"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each = local.app_secret_names

  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = local.app_secrets[each.key]
}
