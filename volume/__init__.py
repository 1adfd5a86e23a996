"""volume service (not built yet)."""
