"""Runtimes that drive the pipeline stages: the embedded one (worker processes inside `atlas serve`)."""
