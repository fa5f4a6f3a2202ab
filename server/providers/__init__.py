"""Everything outside the process: each with a real and a development implementation."""
