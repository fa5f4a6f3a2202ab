"""The indexer: keeps the search engine in step with the database."""
