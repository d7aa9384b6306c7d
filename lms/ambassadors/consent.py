"""Consent per person (Law 91/2025/QH15, Decree 356/2025/ND-CP; SECURITY.md "Personal
data"): what Học Số keeps beyond name, gender, year of birth and village is kept only
after the person agreed, and for a child under 16 after a parent or guardian in the
household agreed (and the child too, from 7 years old). Ethnicity is optional, stored only
with consent, and removed when consent is withdrawn."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..accounts.models import Account, Person
from ..accounts.operations import InvalidInput
from ..extensions import db
from ..models_common import utcnow
from .models import Consent, ConsentChannel

# Bump when the consent text below changes: each record says which text was agreed to.
TEXT_VERSION = "2026-12"
CHILD_AGE = 16
CHILD_ASSENT_AGE = 7

# The peoples of Son La province. Source: Báo Sơn La, "Quê hương Sơn La - Các dân tộc anh
# em" (baosonla.org.vn, chuyên mục 121), which lists the 12 peoples of the province:
# Thái, Kinh, Mông, Mường, Dao, Khơ Mú, Xinh Mun, Kháng, La Ha, Lào, Tày and Hoa;
# CURRICULUM.md ("The province has 12 ethnic groups", 2019 census). Anyone else says "other".
# Translators: the names of peoples of Vietnam, as Vietnam's official list writes them.
ETHNIC_GROUPS = {
    "thai": _l("Thai"), "kinh": _l("Kinh"), "mong": _l("Hmong"), "muong": _l("Muong"),
    "dao": _l("Dao"), "kho-mu": _l("Khmu"), "xinh-mun": _l("Xinh Mun"),
    "khang": _l("Khang"), "la-ha": _l("La Ha"), "lao": _l("Lao"), "tay": _l("Tay"),
    "hoa": _l("Hoa"), "other": _l("Another ethnic group"),
}


def consent_text() -> str:
    # Translators: read aloud by the ambassador before recording consent; plain words.
    return _("Học Số keeps your name, gender, year of birth and village to count who is "
             "learning. If you agree, it also keeps your lessons, the skills your Digital "
             "Ambassador sees you do, your own phone number and, only if you want to say, "
             "your ethnic group. Only your ambassador and the commune see them. You can "
             "change your mind at any time: then your ethnic group is removed.")


def age_in(person: Person, year: int) -> int | None:
    return year - person.birth_year if person.birth_year else None


def is_child(person: Person) -> bool:
    """Under 16, or possibly so: with only a year of birth, the safe side is taken."""
    age = age_in(person, utcnow().year)
    return age is not None and age <= CHILD_AGE


def needs_child_assent(person: Person) -> bool:
    age = age_in(person, utcnow().year)
    return age is not None and age > CHILD_ASSENT_AGE and is_child(person)


def current_consent(person_id: int) -> Consent | None:
    return db.session.scalar(select(Consent).where(
        Consent.person_id == person_id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.given_at.desc()).limit(1))


def consented_ids(person_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(Consent.person_id).where(
        Consent.person_id.in_(person_ids), Consent.withdrawn_at.is_(None))))


def possible_representatives(person: Person) -> list[Person]:
    """Adults of the same household who may agree for a child."""
    return [member for member in person.household.members
            if member.id != person.id and member.active and not is_child(member)]


def give_consent(person: Person, ambassador: Account, *, channel: ConsentChannel,
                 representative_id: int | None, child_agreed: bool,
                 ethnicity: str | None) -> Consent:
    """Record consent (replacing a standing one); InvalidInput says what is missing."""
    representative = None
    if is_child(person):
        representative = next((m for m in possible_representatives(person)
                               if m.id == representative_id), None)
        if representative is None:
            raise InvalidInput(_("For a child under 16, choose the parent or guardian "
                                 "who agrees."))
        if needs_child_assent(person) and not child_agreed:
            raise InvalidInput(_("Ask the child too: a child of 7 or older must agree."))
    if ethnicity is not None and ethnicity not in ETHNIC_GROUPS:
        raise InvalidInput(_("Choose an ethnic group from the list."))
    standing = current_consent(person.id)
    now = utcnow()
    if standing is not None:  # replaced by the new record, which holds the ethnicity now
        standing.withdrawn_at, standing.ethnicity = now, None
    consent = Consent(person_id=person.id, text_version=TEXT_VERSION, given_at=now,
                      channel=channel, ambassador_id=ambassador.id,
                      representative_id=representative.id if representative else None,
                      child_agreed=child_agreed if is_child(person) else None,
                      ethnicity=ethnicity)
    db.session.add(consent)
    db.session.flush()
    audit.record("consent.given", "person", person.id, {
        "text_version": TEXT_VERSION, "channel": channel.value,
        "representative_id": consent.representative_id,
        "ethnicity": audit.REDACTED if ethnicity else None})
    db.session.commit()
    return consent


def withdraw_consent(person: Person) -> bool:
    """Withdraw: the ethnicity goes at once. Returns False if there was nothing to withdraw."""
    standing = current_consent(person.id)
    if standing is None:
        return False
    standing.withdrawn_at = utcnow()
    standing.ethnicity = None
    audit.record("consent.withdrawn", "person", person.id, {"text_version":
                                                            standing.text_version})
    db.session.commit()
    return True
