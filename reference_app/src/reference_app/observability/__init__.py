"""How the app tells what it is doing: structured logs, Prometheus metrics, OpenTelemetry traces.

Three views of the same requests and jobs, joined by the request id and the trace id.
"""
