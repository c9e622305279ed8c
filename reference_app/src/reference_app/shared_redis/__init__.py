"""The one Redis the cache, the limiter and the live events share: its client, and the circuit
breaker that stops every request from waiting on a Redis that has stopped answering.
"""
