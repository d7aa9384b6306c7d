"""Fixtures: the app, its database, factories for places and people, signed-in clients.

The suite runs on SQLite by default and on PostgreSQL when LMS_TEST_DATABASE_URL is set.
"""

import contextlib
import contextvars
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import current_app, has_app_context, has_request_context
from flask.testing import FlaskClient
from flask_babel import get_locale

from lms import create_app
from lms.accounts.models import Account, Gender, Person, Role, ambassador_assignment
from lms.accounts.operations import create_account
from lms.content import catalog as catalog_module
from lms.extensions import db
from lms.i18n import languages
from lms.places.models import Commune, Household, Province, Village
from lms.stats.rollups import people_changed

TEST_PIN = "135790"
TEST_PASSWORD = "núi-cao-suối-sâu"  # staff passwords may use any characters


# --- logs: nothing secret is ever written ---------------------------------------------------

SECRETS_NEVER_LOGGED = (TEST_PIN, TEST_PASSWORD, "246810", "demo-admin-2026",
                        "demo-official-2026", "demo-ambassador-2026")
# Flask's signed cookies (session, remember-me) and CSRF tokens: base64 JSON, signed.
SIGNED_VALUE = re.compile(r"(?:\beyJ|\.eJ)[\w-]{16,}|\b[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}")


class LogKeeper(logging.Handler):
    """Every log record of the whole suite, as it would be written."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def _suite_log():
    keeper = LogKeeper()
    logging.getLogger().addHandler(keeper)
    yield keeper
    logging.getLogger().removeHandler(keeper)


@pytest.fixture(autouse=True)
def _no_secret_in_the_log(_suite_log):
    """Fails any test during which a PIN, password, cookie or token reached the log."""
    first = len(_suite_log.lines)
    yield
    leaked = [line for line in _suite_log.lines[first:]
              if any(secret in line for secret in SECRETS_NEVER_LOGGED)
              or SIGNED_VALUE.search(line)]
    assert not leaked, f"secrets in the log: {leaked[:3]}"


# With pytest-xdist (`make test` runs one worker per core) each worker has its own
# database and Redis database: PostgreSQL's is named after the suite's and the worker.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_configure(config):
    if WORKER.startswith("gw") and "LMS_TEST_REDIS_URL" not in os.environ:
        os.environ["LMS_TEST_REDIS_URL"] = f"redis://127.0.0.1:6379/{15 - int(WORKER[2:]) % 16}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    elif not WORKER:
        yield url
    else:
        with scratch_database(url, None, WORKER) as own:
            yield own


@contextlib.contextmanager
def scratch_database(database_url: str, folder, suffix: str):
    """A new, empty database of the suite's kind (SQLite file or PostgreSQL database named
    after the suite's with `suffix`), dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(folder / f"{suffix}.sqlite")
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(database_url)
    name = f"{server.database}_{suffix}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def test_config(database_url, tmp_path_factory) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-for-the-suite-only",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_ENV": "testing",
        # Cheap hashing keeps the suite fast; production uses argon2id at 7 MiB × 5.
        "LMS_SECRET_HASH_METHOD": "argon2id:8:1:1",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture(scope="session")
def _schema(test_config):
    app = create_app(test_config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, not in the test's:
    `g` and the database session are fresh per request. The test's own session then
    commits around each request (which also expires what it had loaded), so that it
    holds no lock during the request and sees what the request wrote."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed inside an isolated request
            return super().open(*args, **kwargs)
        db.session.commit()  # end the test's transaction: no lock or old snapshot is held
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.commit()
        return response


# Reading every course file takes about a second, and most tests read the same files. A
# catalog depends only on its files, the language registry and the language its problems
# are reported in, so tests share one read per such key; changing a file changes the key.
_CATALOGS: dict[tuple, object] = {}
_read_catalog = catalog_module.read_catalog


def _files_signature(*roots: Path) -> tuple:
    found = []
    for root in roots:
        paths = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for path in paths:
            if path.is_file():
                stat = path.stat()
                found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _shared_read_catalog(courses_dir, curriculum_file=None):
    config = current_app.config
    curriculum = Path(curriculum_file or config["LMS_CURRICULUM_FILE"])
    translations = Path(config["LMS_TRANSLATIONS_DIR"])
    key = (str(courses_dir), str(curriculum), str(get_locale()) if has_request_context() else "",
           tuple((code, language.is_draft) for code, language in languages().items()),
           _files_signature(Path(courses_dir), curriculum, translations))
    if key not in _CATALOGS:
        _CATALOGS[key] = _read_catalog(courses_dir, curriculum_file)
    return _CATALOGS[key]


@pytest.fixture(autouse=True)
def _share_catalog_reads(monkeypatch):
    monkeypatch.setattr(catalog_module, "read_catalog", _shared_read_catalog)


@pytest.fixture
def app(test_config, _schema):
    app = create_app(test_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------------------


@pytest.fixture
def make_commune(app) -> Callable[..., Commune]:
    def make(name: str = "Chiềng Mung", province: str = "Sơn La") -> Commune:
        found = db.session.scalar(db.select(Province).filter_by(name=province))
        found = found or Province(name=province)
        commune = Commune(province=found, name=name)
        db.session.add(commune)
        db.session.commit()
        return commune

    return make


@pytest.fixture
def make_village(make_commune) -> Callable[..., Village]:
    def make(commune: Commune | None = None, name: str | None = None) -> Village:
        commune = commune or make_commune()
        village = Village(commune=commune, name=name or f"Bản {len(commune.villages) + 1}")
        db.session.add(village)
        db.session.commit()
        return village

    return make


@pytest.fixture
def make_household(make_village) -> Callable[..., Household]:
    def make(village: Village | None = None, name: str = "Hộ Lò Văn Pọm", members: int = 2,
             login_phone: str | None = None) -> Household:
        household = Household(village=village or make_village(), name=name)
        db.session.add(household)
        db.session.flush()
        for index in range(members):
            db.session.add(Person(household=household, name=f"Lò Thị {chr(65 + index)}",
                                  gender=Gender.FEMALE, birth_year=1980 + index))
        if login_phone:
            create_account(phone=login_phone, name=name, role=Role.LEARNER, secret=TEST_PIN,
                           household_id=household.id)
        db.session.flush()
        people_changed([person.id for person in household.members])
        db.session.commit()
        return household

    return make


@pytest.fixture
def make_staff(app) -> Callable[..., Account]:
    def make(role: Role, phone: str, commune: Commune | None = None,
             households: list[Household] = ()) -> Account:
        person = Person(name=f"Cán bộ {phone[-3:]}")
        db.session.add(person)
        db.session.flush()
        account = create_account(phone=phone, name=person.name, role=role,
                                 secret=TEST_PASSWORD, person_id=person.id,
                                 commune_id=commune.id if commune else None)
        db.session.flush()
        for household in households:
            db.session.execute(ambassador_assignment.insert().values(
                account_id=account.id, household_id=household.id))
        db.session.commit()
        return account

    return make


# --- signing in ----------------------------------------------------------------------------

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, phone: str, secret: str, follow_redirects: bool = False):
    token = csrf_from(client)
    return client.post("/login", data={"phone": phone, "secret": secret, "csrf_token": token},
                       follow_redirects=follow_redirects)


@pytest.fixture
def world(make_commune, make_village, make_household, make_staff):
    """Two communes; an ambassador with one of two households in the first."""
    home = make_commune("Chiềng Mung")
    away = make_commune("Mường Bon")
    village = make_village(home, "Bản Mé")
    other_village = make_village(home, "Bản Púng")
    far_village = make_village(away, "Bản Hẹo")
    mine = make_household(village, "Hộ Lò Văn Pọm", members=3, login_phone="0911000001")
    theirs = make_household(other_village, "Hộ Cà Văn Chung", members=2,
                            login_phone="0911000002")
    far = make_household(far_village, "Hộ Lường Văn Thanh", members=2,
                         login_phone="0911000003")
    return {
        "home": home, "away": away, "village": village, "other_village": other_village,
        "far_village": far_village, "mine": mine, "theirs": theirs, "far": far,
        "admin": make_staff(Role.ADMIN, "0911000010"),
        "official": make_staff(Role.OFFICIAL, "0911000011", home),
        "far_official": make_staff(Role.OFFICIAL, "0911000012", away),
        "ambassador": make_staff(Role.AMBASSADOR, "0911000013", home, [mine]),
    }


@pytest.fixture
def signed_in(app, world) -> Callable:
    """A new client signed in as one of the world's people: 'admin', 'official',
    'ambassador', or a household key ('mine', 'theirs', 'far') with a member picked."""

    def make(who: str, member: int = 0):
        client = app.test_client()
        if who in ("admin", "official", "far_official", "ambassador"):
            response = sign_in(client, world[who].phone, TEST_PASSWORD)
            assert response.status_code == 302, response.get_data(as_text=True)
            return client
        household = world[who]
        phone = db.session.scalar(db.select(Account.phone).filter_by(household_id=household.id))
        assert sign_in(client, phone, TEST_PIN).status_code == 302
        token = csrf_from(client, "/who")
        response = client.post("/who", data={"person": household.members[member].id,
                                             "csrf_token": token})
        assert response.status_code == 302
        return client

    return make
