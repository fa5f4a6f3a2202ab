"""Schema migrations (Tortoise built-in). Make one with `make migration NAME=...`."""
