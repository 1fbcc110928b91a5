"""Persistence: the database (the truth), its migrations, and the blob folder."""
