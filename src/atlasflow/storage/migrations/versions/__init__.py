"""Migration scripts, applied in order by `atlasflow.storage.db.migrate`."""
