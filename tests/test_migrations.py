"""The migrations produce exactly the models' schema."""


import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db

from .conftest import scratch_database


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    with scratch_database(database_url, tmp_path, "migrations") as url:
        yield url


def test_migrations_produce_the_models_schema(test_config, empty_database_url):
    app = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
