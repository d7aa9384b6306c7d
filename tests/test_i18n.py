"""Languages: choice order, the Vietnamese fallback chain, and up-to-date catalogs."""

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from babel import numbers
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.accounts.models import Account
from lms.extensions import db
from lms.templating import number

from .conftest import csrf_from

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def test_vietnamese_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page


def test_lang_parameter_shows_english(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_hmong_shows_hmong_where_translated_and_vietnamese_elsewhere(client):
    response = client.get("/login?lang=hmn")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="hmn">' in page
    catalog = read_po((TRANSLATIONS / "hmn/LC_MESSAGES/messages.po").open("rb"))
    translated = catalog.get("Phone number")
    assert translated and translated.string and translated.string in page
    # An untranslated string comes in Vietnamese, never English.
    untranslated = [m for m in catalog if m.id and not m.string]
    assert untranslated, "the H'Mong catalog is expected to be partial"
    assert "Words not yet translated are shown in Vietnamese" not in page
    assert "Hãy" in page or "Dùng" in page or "Đăng nhập" in page


def test_tai_dam_never_raises_and_dates_format_as_vietnamese(app, client):
    assert client.get("/login?lang=blt").status_code == 200
    with app.test_request_context("/?lang=blt"):
        from flask_babel import format_decimal, get_locale

        assert str(get_locale()) == "vi"
        assert format_decimal(150000) == "150.000"


@pytest.mark.parametrize("header", ["../../etc", "xx-YY", "hmn;q=abc", "", "*"])
def test_bad_accept_language_falls_back_to_vietnamese(client, header):
    response = client.get("/login", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_accept_language_is_used_when_nothing_else_is_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(
        as_text=True)
    assert '<html lang="en">' in page


@pytest.mark.parametrize("value", ["../../etc/passwd", "zz", "en'><script>"])
def test_bad_lang_parameter_and_cookie_fall_back(client, value):
    assert '<html lang="vi">' in client.get(f"/login?lang={value}").get_data(as_text=True)
    client.set_cookie("lang", value)
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_switcher_remembers_the_choice_in_a_cookie(client):
    token = csrf_from(client)
    response = client.post("/language", data={"lang": "en", "next": "/login",
                                              "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_switcher_remembers_the_choice_on_the_account(signed_in, world, app):
    client = signed_in("official")
    token = csrf_from(client, "/official/")
    client.post("/language", data={"lang": "hmn", "next": "/official/", "csrf_token": token})
    assert db.session.get(Account, world["official"].id).locale == "hmn"
    client.delete_cookie("lang")
    assert '<html lang="hmn">' in client.get("/official/").get_data(as_text=True)


def test_switcher_refuses_unknown_languages(client):
    token = csrf_from(client)
    assert client.post("/language", data={"lang": "klingon", "csrf_token": token}
                       ).status_code == 400


def test_every_page_has_a_switcher_naming_each_language_in_itself(client):
    page = client.get("/login").get_data(as_text=True)
    for name in ("Tiếng Việt", "English", "ꪼꪕꪒꪾ"):
        assert name in page


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
         "-o", str(fresh), "."],
        cwd=ROOT, check=True,
    )
    committed = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    current = {m.id for m in read_po(fresh.open("rb")) if m.id}
    assert current - committed == set(), "new strings: run `make messages` and translate them"
    assert committed - current == set(), "stale strings: run `make messages`"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_complete_languages_translate_every_string(language):
    catalog = read_po((TRANSLATIONS / language / "LC_MESSAGES/messages.po").open("rb"))
    pot = {m.id for m in read_po((TRANSLATIONS / "messages.pot").open("rb")) if m.id}
    missing = [m.id for m in catalog if m.id in pot and not m.string]
    assert missing == []
    assert pot <= {m.id for m in catalog if m.id}


@pytest.mark.parametrize("language", ["blt", "hmn"])
def test_community_catalogs_are_marked_draft_and_have_one_plural_form(language):
    text = (TRANSLATIONS / language / "LC_MESSAGES/messages.po").read_text("utf-8")
    assert "nplurals=1; plural=0;" in text
    assert "draft" in text.lower()


def test_an_explicit_lang_parameter_is_remembered_in_the_cookie(client):
    client.get("/login?lang=en")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.get("/login?lang=nonsense")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.integers(min_value=-10**12, max_value=10**12),
                       st.floats(min_value=-1e9, max_value=1e9, width=32)),
       language=st.sampled_from(["vi", "en", "blt", "hmn", "fr", "hi"]))
def test_the_number_filter_writes_what_babel_writes(app, value, language):
    """The figures pages' fast path for integers gives Babel's text to the letter, in every
    interface language and in locales with other separators (fr) or grouping (hi)."""
    interface = language not in ("fr", "hi")
    with app.test_request_context(f"/?lang={language}"), (
            contextlib.nullcontext() if interface else force_locale(language)):
        assert number(value) == numbers.format_decimal(value, locale=get_locale())
