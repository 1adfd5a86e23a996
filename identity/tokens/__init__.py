"""Tokens: Fernet formatting, issuing, validating and revoking."""
