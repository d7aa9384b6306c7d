"""Changing communes and villages: create, rename (the old name stays findable), merge,
deactivate, and move a household to another village. Every change goes into the audit
trail; the caller commits, so that a change and its record are one transaction."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from .. import audit
from ..extensions import db
from ..models_common import nfc
from .models import Commune, FormerPlaceName, Household, Province, Village

VILLAGE_KINDS = {"ban": _l("Village (bản)"), "tieu_khu": _l("Neighbourhood (tiểu khu)"),
                 "to_dan_pho": _l("Street group (tổ dân phố)")}
COMMUNE_KINDS = {"xa": _l("Commune (xã)"), "phuong": _l("Ward (phường)")}
# What people type in a spreadsheet for each kind, without diacritics or case.
_KIND_WORDS = {"ban": "ban", "bản": "ban", "tieu_khu": "tieu_khu", "tiểu khu": "tieu_khu",
               "tieu khu": "tieu_khu", "to_dan_pho": "to_dan_pho", "tổ dân phố": "to_dan_pho",
               "to dan pho": "to_dan_pho"}


class PlaceError(ValueError):
    """A change that must be refused with a translated message; nothing is written."""


def village_kind(raw: str) -> str | None:
    return _KIND_WORDS.get(nfc(raw or "").strip().lower())


def clean_name(raw: str) -> str:
    name = " ".join(nfc(raw or "").split())
    if not name:
        raise PlaceError(_("Type a name."))
    if len(name) > 120:
        raise PlaceError(_("The name is too long (at most 120 characters)."))
    return name


def _commune_name_taken(province_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(Commune.id).where(Commune.province_id == province_id,
                                     func.lower(Commune.name) == name.lower())
    if except_id:
        query = query.where(Commune.id != except_id)
    return db.session.scalar(query) is not None


def village_name_taken(commune_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(Village.id).where(Village.commune_id == commune_id,
                                     func.lower(Village.name) == name.lower())
    if except_id:
        query = query.where(Village.id != except_id)
    return db.session.scalar(query) is not None


def code_taken(model, code: str | None, except_id: int | None = None) -> bool:
    if not code:
        return False
    query = select(model.id).where(model.code == code)
    if except_id:
        query = query.where(model.id != except_id)
    return db.session.scalar(query) is not None


def province() -> Province:
    """The province this installation serves (made on first use)."""
    found = db.session.scalar(select(Province).order_by(Province.id))
    if found is None:
        found = Province(name="Sơn La")
        db.session.add(found)
        db.session.flush()
    return found


def create_commune(name: str, kind: str = "xa", code: str | None = None) -> Commune:
    name, code = clean_name(name), (code or "").strip() or None
    home = province()
    if kind not in COMMUNE_KINDS:
        raise PlaceError(_("Choose a kind from the list."))
    if _commune_name_taken(home.id, name):
        raise PlaceError(_("A commune with this name already exists."))
    if code_taken(Commune, code):
        raise PlaceError(_("This code is already used."))
    commune = Commune(province=home, name=name, kind=kind, code=code)
    db.session.add(commune)
    db.session.flush()
    audit.record("commune.created", "commune", commune.id,
                 audit.snapshot(commune, ("name", "kind", "code")))
    return commune


def create_village(commune: Commune, name: str, kind: str = "ban",
                   code: str | None = None) -> Village:
    name, code = clean_name(name), (code or "").strip() or None
    if kind not in VILLAGE_KINDS:
        raise PlaceError(_("Choose a kind from the list."))
    if not commune.active:
        raise PlaceError(_("This commune is no longer active."))
    if village_name_taken(commune.id, name):
        raise PlaceError(_("This commune already has a village with this name."))
    if code_taken(Village, code):
        raise PlaceError(_("This code is already used."))
    village = Village(commune_id=commune.id, name=name, kind=kind, code=code)
    db.session.add(village)
    db.session.flush()
    audit.record("village.created", "village", village.id,
                 audit.snapshot(village, ("name", "kind", "code", "commune_id")))
    return village


def rename_commune(commune: Commune, name: str) -> None:
    name = clean_name(name)
    if name == commune.name:
        return
    if _commune_name_taken(commune.province_id, name, commune.id):
        raise PlaceError(_("A commune with this name already exists."))
    db.session.add(FormerPlaceName(commune_id=commune.id, name=commune.name))
    audit.record("commune.renamed", "commune", commune.id, {"name": [commune.name, name]})
    commune.name = name


def rename_village(village: Village, name: str) -> None:
    name = clean_name(name)
    if name == village.name:
        return
    if village_name_taken(village.commune_id, name, village.id):
        raise PlaceError(_("This commune already has a village with this name."))
    db.session.add(FormerPlaceName(village_id=village.id, name=village.name))
    audit.record("village.renamed", "village", village.id, {"name": [village.name, name]})
    village.name = name


def set_active(place: Commune | Village, active: bool) -> None:
    kind = "commune" if isinstance(place, Commune) else "village"
    if place.active == active:
        return
    audit.record(f"{kind}.{'reactivated' if active else 'deactivated'}", kind, place.id,
                 {"active": [place.active, active]})
    place.active = active


def merge_communes(source: Commune, target: Commune) -> int:
    """Move every village of `source` (with its households, and so their people, visits
    and progress) and its staff into `target`; `source` stays, deactivated, for history.
    Returns how many villages moved."""
    from ..accounts.models import Account

    if source.id == target.id:
        raise PlaceError(_("Choose another commune to merge into."))
    if not target.active:
        raise PlaceError(_("This commune is no longer active."))
    clashes = sorted(v.name for v in source.villages if village_name_taken(target.id, v.name))
    if clashes:
        raise PlaceError(_("Both communes have a village called %(names)s. Rename one of them "
                           "first.", names=", ".join(clashes)))
    villages = list(source.villages)
    for village in villages:
        village.commune_id = target.id
        audit.record("village.moved", "village", village.id,
                     {"commune_id": [source.id, target.id]})
    staff = db.session.scalars(select(Account).where(Account.commune_id == source.id)).all()
    for account in staff:
        account.commune_id = target.id
        audit.record("account.moved", "account", account.id,
                     {"commune_id": [source.id, target.id]})
    audit.record("commune.merged", "commune", source.id,
                 {"into": target.id, "villages": len(villages), "staff": len(staff)})
    source.active = False
    db.session.flush()
    db.session.expire(source, ["villages"])
    return len(villages)


def move_household(household: Household, village: Village) -> None:
    """A household moves to another village with its members, visits and progress."""
    if village.id == household.village_id:
        return
    if not village.active:
        raise PlaceError(_("This village is no longer active."))
    audit.record("household.moved", "household", household.id,
                 {"village_id": [household.village_id, village.id]})
    household.village_id = village.id


def find_places(text: str, communes_query, villages_query) -> tuple[list, list]:
    """Communes and villages (in the given scopes) whose name, former name or code matches."""
    needle = f"%{nfc(text).strip().lower()}%"
    former_communes = select(FormerPlaceName.commune_id).where(
        func.lower(FormerPlaceName.name).like(needle))
    former_villages = select(FormerPlaceName.village_id).where(
        func.lower(FormerPlaceName.name).like(needle))
    communes = db.session.scalars(communes_query.where(or_(
        func.lower(Commune.name).like(needle), func.lower(Commune.code).like(needle),
        Commune.id.in_(former_communes))).order_by(Commune.name).limit(50)).all()
    villages = db.session.scalars(villages_query.where(or_(
        func.lower(Village.name).like(needle), func.lower(Village.code).like(needle),
        Village.id.in_(former_villages))).order_by(Village.name).limit(50)).all()
    return communes, villages


def former_names(place: Commune | Village) -> list[FormerPlaceName]:
    column = FormerPlaceName.commune_id if isinstance(place, Commune) else (
        FormerPlaceName.village_id)
    return list(db.session.scalars(select(FormerPlaceName).where(column == place.id)
                                   .order_by(FormerPlaceName.until.desc())))

