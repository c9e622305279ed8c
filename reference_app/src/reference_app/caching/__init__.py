"""The read cache: Redis shared by every instance, or this process's memory without Redis.

What is cached, and when it is invalidated, belongs to each feature (``posts/cache.py``,
``users/cache.py``); this package only stores and fetches.
"""
