"""network service (not built yet)."""
