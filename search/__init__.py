"""Search: listing DSL builders, hit mapping, and the engine client."""
