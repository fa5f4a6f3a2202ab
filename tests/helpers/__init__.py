"""Test helpers, in one place: test files import from here (and fixtures from conftest), never from each other."""
