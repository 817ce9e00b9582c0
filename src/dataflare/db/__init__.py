"""The database: engine and sessions (database), the model registry Alembic reads (registry),
migrations (migrate, migrations/), SQLite group commit (group_commit) and the statements handed
straight to the driver on hot paths (driver)."""
