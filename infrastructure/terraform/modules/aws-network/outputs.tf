output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets for internet-facing load balancers (one per AZ)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Subnets for application tasks and Kubernetes nodes (one per AZ)."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "Isolated subnets for RDS and ElastiCache (one per AZ)."
  value       = aws_subnet.database[*].id
}

output "nat_gateway_public_ips" {
  description = "Public egress IPs of the NAT gateways, e.g. for third-party allow-lists."
  value       = aws_eip.nat[*].public_ip
}
