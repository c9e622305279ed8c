output "alb_dns_name" {
  description = "DNS name of the load balancer; point your domain at it (Route 53 alias or CNAME)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone ID of the load balancer, for a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "web_service_name" {
  description = "Name of the ECS service that serves HTTP traffic."
  value       = aws_ecs_service.web.name
}

output "migrate_task_definition_arn" {
  description = "Task definition that runs `reference-app migrate`; run it by hand with the command in run_migrations_command."
  value       = aws_ecs_task_definition.this["migrate"].arn
}

output "run_migrations_command" {
  description = "AWS CLI command that starts the migration task manually (for run_migrations_on_apply = false)."
  value = join(" ", [
    "aws ecs run-task --cluster", aws_ecs_cluster.this.name,
    "--task-definition", aws_ecs_task_definition.this["migrate"].arn,
    "--launch-type FARGATE --network-configuration",
    "'awsvpcConfiguration={subnets=[${join(",", var.private_subnet_ids)}],securityGroups=[${aws_security_group.app.id},${var.data_client_security_group_id}],assignPublicIp=DISABLED}'",
  ])
}

output "app_log_group" {
  description = "CloudWatch log group of all app processes (stream prefix = process name)."
  value       = aws_cloudwatch_log_group.app.name
}
