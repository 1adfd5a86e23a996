"""The image service: a Glance v2-compatible API over a store driver."""
