"""Stratus shared core: what every service reuses instead of re-writing."""
