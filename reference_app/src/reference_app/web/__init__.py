"""ASGI plumbing under every request: request ids, the access log, security headers, body limits.

It knows no route and no feature, so the shared services (the rate limiter) can build on it;
``api/`` is the API surface itself: dependencies, pagination, the docs.
"""
