"""Persistence: typed models, engine/session, queries that never commit, migrations."""
