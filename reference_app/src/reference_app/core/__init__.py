"""Cross-cutting building blocks: settings, database, security, errors, logging, middleware."""
