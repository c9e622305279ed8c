"""Health probes for load balancers and orchestrators."""
