"""Identity service: a Keystone v3-compatible API for users, projects, roles, tokens, catalog."""
