"""bot/core: configuration, catalogs, the database (SQLite driver, migrations, batching)."""
