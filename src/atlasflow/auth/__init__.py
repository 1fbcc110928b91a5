"""Client credentials (argon2-hashed secrets) and tokens (HS256 JWTs with `kid`, opaque refresh tokens)."""
