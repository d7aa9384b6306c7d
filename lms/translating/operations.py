"""Changes of the translation feature: grants, and saving a piece as draft or reviewed.
Each is audited and committed by its caller."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..accounts.models import STAFF_ROLES, Account
from ..extensions import db
from ..models_common import without_invisible
from .models import DRAFT, REVIEWED, LanguageGrant, SavedTranslation
from .pieces import community_languages

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")
MAX_INTERFACE = 2000


class Refused(Exception):
    """A change the caller may not make or that is not valid; the message is translated."""


def grant_of(account: Account, language: str) -> LanguageGrant | None:
    return db.session.scalar(select(LanguageGrant).where(
        LanguageGrant.account_id == account.id, LanguageGrant.language == language))


def grants_of(account: Account) -> list[LanguageGrant]:
    return list(db.session.scalars(select(LanguageGrant).where(
        LanguageGrant.account_id == account.id,
        LanguageGrant.language.in_(community_languages())).order_by(LanguageGrant.language)))


def grant(admin: Account, account: Account, language: str, may_review: bool) -> LanguageGrant:
    """Give (or change) a staff account's permission for one community language."""
    if account.role not in STAFF_ROLES or not account.active:
        raise Refused(_("Only an active staff account can translate."))
    if language not in community_languages():
        raise Refused(_("Choose one of the community languages."))
    found = grant_of(account, language)
    if found is None:
        found = LanguageGrant(account_id=account.id, language=language, may_review=may_review,
                              granted_by_id=admin.id)
        db.session.add(found)
        db.session.flush()
        audit.record("language_grant.granted", "account", account.id,
                     {"language": language, "may_review": may_review})
    elif found.may_review != may_review:
        audit.record("language_grant.changed", "account", account.id,
                     {"language": language, "may_review": [found.may_review, may_review]})
        found.may_review = may_review
        found.granted_by_id = admin.id
    return found


def revoke(found: LanguageGrant) -> None:
    audit.record("language_grant.revoked", "account", found.account_id,
                 {"language": found.language, "may_review": found.may_review})
    db.session.delete(found)


def save_piece(author: Account, piece: LanguageGrant, kind: str, course: str, lesson: str,
               part: str, fields: dict, reviewed: bool,
               current: SavedTranslation | None) -> SavedTranslation:
    """Add the piece's new version. Marking reviewed needs `may_review`, and a reviewer does
    not pass their own draft: someone else of that language reads it."""
    if reviewed and not piece.may_review:
        raise Refused(_("Only a reviewer of this language can mark a translation reviewed."))
    if (reviewed and current is not None and current.status == DRAFT
            and current.author_id == author.id):
        raise Refused(_("Another reviewer must read your own draft before it is marked "
                        "reviewed."))
    row = SavedTranslation(language=piece.language, kind=kind, course=course, lesson=lesson,
                           part=part, text=fields, status=REVIEWED if reviewed else DRAFT,
                           author_id=author.id, in_files=False)
    db.session.add(row)
    db.session.flush()
    audit.record("translation.reviewed" if reviewed else "translation.saved",
                 "saved_translation", row.id,
                 {"language": piece.language, "kind": kind, "course": course,
                  "lesson": lesson, "part": part[:120]})
    return row


def check_interface(msgid: str, value: str) -> str:
    """An interface translation as it will be saved; Refused with the reason otherwise."""
    value = without_invisible((value or "").replace("\r\n", "\n")).strip()
    if not value:
        raise Refused(_("Type the translation first."))
    if len(value) > MAX_INTERFACE:
        raise Refused(_("The translation is longer than %(max)s characters.", max=MAX_INTERFACE))
    if "<" in value and "<" not in msgid:
        raise Refused(_("The translation contains HTML: write plain text."))
    wanted = set(PLACEHOLDER.findall(msgid))
    if wanted or "%" in msgid:
        given = PLACEHOLDER.findall(value)
        if set(given) - wanted:
            raise Refused(_("Keep the words in %%(…)s exactly as in the original: %(names)s.",
                            names=", ".join(sorted(wanted)) or "—"))
        if "%" in PLACEHOLDER.sub("", value).replace("%%", ""):
            raise Refused(_("A lone %% sign breaks the page: write %%%% for a percent sign."))
    elif "%" in value:
        # A template formats every string, so a % here breaks each page that shows it.
        raise Refused(_("The original has no percent sign: write the translation without "
                        "one."))
    return value
