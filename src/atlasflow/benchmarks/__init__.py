"""Benchmarks whose reports are committed under bench/reports (targets live here, not in tests)."""
