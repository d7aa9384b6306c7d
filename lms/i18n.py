"""Languages: the registry, locale negotiation and the catalog chain.

The UI language (any code in the registry) is kept apart from the formatting locale
(a CLDR locale Babel knows): Flask-Babel only ever sees the latter, so codes CLDR lacks
never raise, and a string missing in H'Mong or Tai Dam falls back to Vietnamese.
"""

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from babel import Locale
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, request
from flask_babel import Babel, Domain
from flask_login import current_user

DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class Font:
    """A web font a language's pages load for the characters of its script only."""

    family: str
    file: str  # under static/
    unicode_range: str


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    catalogs: tuple[str, ...]
    format_locale: str
    speech: tuple[str, ...]
    status: str
    font: Font | None = None

    @property
    def is_draft(self) -> bool:
        return self.status != "complete"


def load_registry(path: Path) -> dict[str, Language]:
    """Read languages.yaml and check it, so that a bad entry stops start-up, not a request."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    registry: dict[str, Language] = {}
    for code, entry in raw.items():
        catalogs = tuple(entry["catalogs"])
        if catalogs[-1] != DEFAULT_LANGUAGE and code != "en":
            raise ValueError(f"{path}: {code}: the catalog chain must end with Vietnamese")
        Locale.parse(entry["format"])  # must be a locale CLDR knows
        registry[code] = Language(
            code=code,
            name=entry["name"],
            catalogs=catalogs,
            format_locale=entry["format"],
            speech=tuple(entry.get("speech") or ()),
            status=entry.get("status", "draft"),
            font=Font(family=entry["font"]["family"], file=entry["font"]["file"],
                      unicode_range=entry["font"]["unicode_range"]) if entry.get("font") else None,
        )
    if DEFAULT_LANGUAGE not in registry:
        raise ValueError(f"{path}: the registry must contain {DEFAULT_LANGUAGE}")
    return registry


def languages() -> dict[str, Language]:
    return current_app.extensions["lms_languages"]


def match_language(value: str | None) -> str | None:
    """A registry code for `value`, or None: raw input never reaches Locale.parse."""
    if not value:
        return None
    value = value.strip().lower()
    registry = languages()
    if value in registry:
        return value
    base = value.replace("_", "-").split("-")[0]
    return base if base in registry else None


def _signed_in() -> bool:
    return bool(current_user) and current_user.is_authenticated


def member_learning_now():
    """On a household's shared phone, the member picked to learn now; else None."""
    if _signed_in() and current_user.is_household_login:
        from .auth import active_person  # lms.auth needs the models, which need this module

        return active_person()
    return None


def choice_holder():
    """Where a signed-in learner's language choice is kept: on a household's shared phone,
    the member learning now (the household's account while nobody is picked); otherwise
    the account. None when signed out."""
    if not _signed_in():
        return None
    return member_learning_now() or current_user._get_current_object()


def select_language() -> str:
    """`?lang=`, else the saved choice (the member's on a shared phone, falling back to the
    household's), else the cookie, else Accept-Language.

    On a shared phone the cookie holds whichever member chose last, so a member who has
    not chosen is not given it: one member's Tai Dam does not switch the whole family."""
    if "ui_language" in g:
        return g.ui_language
    chosen = match_language(request.args.get("lang"))
    member = None
    if chosen is None and _signed_in():
        member = member_learning_now()
        chosen = (match_language(member.locale) if member else None) or match_language(
            current_user.locale)
    if chosen is None and member is None:
        chosen = match_language(request.cookies.get(LANGUAGE_COOKIE))
    if chosen is None:
        chosen = request.accept_languages.best_match(list(languages()))
    g.ui_language = chosen or DEFAULT_LANGUAGE
    return g.ui_language


def current_language() -> Language:
    return languages()[select_language()]


def format_locale() -> str:
    return current_language().format_locale


# A feature may put saved strings before the compiled catalogs (the translation
# workbench): a callable code -> (stamp, {msgid: msgstr}) kept in app.extensions under
# this name. A chain is rebuilt when the stamp it was built with changes.
UI_OVERLAY = "lms_ui_overlay"


class _SavedStrings(Translations):
    """Strings saved in the database, tried before the compiled catalogs."""

    def __init__(self, strings: dict[str, str]):
        super().__init__(fp=None, domain="messages")
        self._catalog = dict(strings)
        self.plural = lambda n: 0


class ChainDomain(Domain):
    """Loads the current language's catalog chain, linked with add_fallback()."""

    def get_translations(self) -> Translations | NullTranslations:
        try:
            language = current_language()
        except RuntimeError:  # outside a request
            return NullTranslations()
        cache = self.get_translations_cache(None)
        overlay = current_app.extensions.get(UI_OVERLAY)
        if overlay is not None and language.code != DEFAULT_LANGUAGE:
            stamp, strings = overlay(language.code)
            found = cache.get((language.code, stamp))
            if found is None:
                found = self._chain(language)
                if strings:
                    saved = _SavedStrings(strings)
                    saved.add_fallback(found)
                    found = saved
                for key in [key for key in cache if isinstance(key, tuple)
                            and key[0] == language.code]:
                    del cache[key]
                cache[(language.code, stamp)] = found
            return found
        if language.code not in cache:
            cache[language.code] = self._chain(language)
        return cache[language.code]

    def _chain(self, language: Language) -> Translations | NullTranslations:
        directory = current_app.config["LMS_TRANSLATIONS_DIR"]
        chain: Translations | NullTranslations | None = None
        for code in language.catalogs:
            catalog = Translations.load(directory, [code], self.domain[0])
            if not isinstance(catalog, Translations):
                continue  # no compiled catalog for this code: skip to the next
            if chain is None:
                chain = catalog
            else:
                chain.add_fallback(catalog)
        return chain or NullTranslations()


class ChainBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return ChainDomain(domain=self.domain)


babel = ChainBabel()


def init_app(app: Flask) -> None:
    registry_file = Path(app.config["LMS_TRANSLATIONS_DIR"]) / "languages.yaml"
    app.extensions["lms_languages"] = load_registry(registry_file)
    babel.init_app(
        app,
        locale_selector=format_locale,
        default_translation_directories=app.config["LMS_TRANSLATIONS_DIR"],
    )

    @app.after_request
    def remember_explicit_choice(response):
        """`?lang=` is remembered in the cookie. The account's saved choice changes only
        through the switcher's POST, because a GET never changes stored state."""
        chosen = match_language(request.args.get("lang"))
        if chosen and request.cookies.get(LANGUAGE_COOKIE) != chosen:
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=400 * 24 * 3600,
                                samesite="Lax", secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    @app.context_processor
    def language_context() -> dict:
        return {"ui_language": current_language(), "all_languages": languages()}


def ui_coverage(code: str) -> tuple[int, int]:
    """How many interface strings a language's own catalog translates, of how many."""
    from babel.messages.pofile import read_po

    folder = Path(current_app.config["LMS_TRANSLATIONS_DIR"])
    with (folder / "messages.pot").open("rb") as template:
        wanted = {message.id for message in read_po(template) if message.id}
    catalog_file = folder / code / "LC_MESSAGES" / "messages.po"
    if not catalog_file.exists():
        return 0, len(wanted)
    with catalog_file.open("rb") as source:
        done = {message.id for message in read_po(source)
                if message.id in wanted and message.string and all(message.string)}
    return len(done), len(wanted)
