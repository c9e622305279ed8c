# One customer-managed key for the environment's data: RDS, ElastiCache,
# S3, Secrets Manager, EKS secrets, EBS and CloudWatch log groups.
# A CMK costs 1 USD/month plus requests; it gives us an audit trail of every
# decrypt (CloudTrail) and the ability to revoke access by editing one policy.
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "kms" {
  # In a key policy, resources = ["*"] means "this key" and nothing else.
  #checkov:skip=CKV_AWS_109:Key policy: "*" refers only to the key the policy is attached to; the account root statement is the AWS-recommended default that delegates to IAM.
  #checkov:skip=CKV_AWS_111:Key policy: "*" refers only to the key the policy is attached to.
  #checkov:skip=CKV_AWS_356:Key policy: "*" refers only to the key the policy is attached to.
  # Key administration stays with the account (IAM policies decide who).
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts log groups of this account and region only.
  statement {
    sid = "CloudWatchLogsEncryptsLogGroups"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "${local.name} data encryption"
  enable_key_rotation     = true # yearly automatic rotation of the key material
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json

  tags = local.tags
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}
