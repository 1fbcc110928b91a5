"""Route modules, one per concern: auth, flows, callbacks, operations."""
