"""HTTP plumbing shared by every API: app factory, bodies, request ids, versions."""
