"""The warehouse: SQLAlchemy models, Alembic migrations, and the plain-Python steps from raw to indicators."""
