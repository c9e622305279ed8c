"""Rate limits per client: the middleware, its moving-window counters, and who the client is.

Routes declare which limit they take (``x-rate-limit`` in their OpenAPI extra); the limiter
reads that declaration rather than matching paths of its own.
"""
