"""dashboard service (not built yet)."""
