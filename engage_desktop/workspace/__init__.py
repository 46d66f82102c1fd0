"""The .engage file: opening, locking, snapshots, the schema and its migrations."""
