"""Business rules. Handlers call exactly one of these per request."""
