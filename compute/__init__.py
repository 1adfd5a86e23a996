"""compute service (not built yet)."""
