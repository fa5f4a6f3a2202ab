"""The judged set's data files (package data: found when installed)."""
