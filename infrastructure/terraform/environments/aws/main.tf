# Production environment of the reference app on AWS. Composition only: all
# resources live in the modules.
locals {
  name = "workbook-${var.environment == "production" ? "prod" : "stg"}"

  tags = merge(var.tags, {
    project     = "fastapi-production-workbook"
    environment = var.environment
    managed-by  = "terraform"
  })
}

module "network" {
  source = "../../modules/aws-network"

  name               = local.name
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = aws_kms_key.main.arn
  tags               = local.tags
}

module "data" {
  source = "../../modules/aws-data"

  name                = local.name
  vpc_id              = module.network.vpc_id
  database_subnet_ids = module.network.database_subnet_ids
  kms_key_arn         = aws_kms_key.main.arn
  tags                = local.tags
}

module "ecs" {
  source = "../../modules/aws-ecs-fargate"
  count  = var.platform == "ecs" ? 1 : 0

  name                          = local.name
  vpc_id                        = module.network.vpc_id
  public_subnet_ids             = module.network.public_subnet_ids
  private_subnet_ids            = module.network.private_subnet_ids
  container_image               = var.container_image
  certificate_arn               = var.certificate_arn
  app_secret_arns               = module.data.app_secret_arns
  kms_key_arn                   = aws_kms_key.main.arn
  data_client_security_group_id = module.data.client_security_group_id
  app_bucket_arn                = module.data.app_bucket_arn
  access_logs_bucket            = module.data.log_bucket_name
  cors_origins                  = var.cors_origins
  enable_worker                 = var.enable_worker
  tags                          = local.tags
}

module "eks" {
  source = "../../modules/aws-eks"
  count  = var.platform == "eks" ? 1 : 0

  name                          = local.name
  private_subnet_ids            = module.network.private_subnet_ids
  kms_key_arn                   = aws_kms_key.main.arn
  data_client_security_group_id = module.data.client_security_group_id
  admin_principal_arns          = var.eks_admin_principal_arns
  app_secret_arns               = module.data.app_secret_arns
  app_bucket_arn                = module.data.app_bucket_arn
  tags                          = local.tags
}
