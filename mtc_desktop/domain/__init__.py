"""The rules of third-party access in plain Python: no Qt, no database."""
