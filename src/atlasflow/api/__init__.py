"""The HTTP API (FastAPI): Atlas Flow API v3 endpoints, wire-compatible with hosted Atlas."""
