"""image service (not built yet)."""
