"""Index settings and mappings, shipped as package data (found from any working directory)."""
