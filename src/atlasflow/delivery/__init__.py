"""Callback delivery: token from auth_url, Standard Webhooks signing, one attempt at a time with backoff."""
