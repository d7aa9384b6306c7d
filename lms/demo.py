"""The demo commune of DESIGN.md §4.3: Chiềng Mung, with fixed demo sign-ins.

Every object is found by its natural key before it is created, so loading twice
changes nothing.
"""

from .accounts.models import Account, Gender, Person, Role, ambassador_assignment
from .accounts.operations import create_account, normalise_phone
from .demo_events import load_demo_events
from .demo_families import load_demo_families
from .demo_fieldwork import load_demo_fieldwork
from .demo_progress import load_demo_progress
from .demo_teams import load_demo_team
from .extensions import db
from .places.models import Commune, Household, Province, Village
from .stats.rollups import people_changed

PROVINCE = "Sơn La"
COMMUNE = "Chiềng Mung"
OTHER_COMMUNE = "Mường Bon"
VILLAGES = ["Bản Mé", "Bản Nà Ban", "Bản Púng"]
HOUSEHOLD_PIN = "246810"
STAFF_PASSWORDS = {
    Role.ADMIN: "demo-admin-2026",
    Role.OFFICIAL: "demo-official-2026",
    Role.AMBASSADOR: "demo-ambassador-2026",
}

F, M = Gender.FEMALE, Gender.MALE
# (village index, household name, members as (name, gender, birth year))
HOUSEHOLDS = [
    (0, "Hộ Lò Văn Pọm", [("Lò Văn Pọm", M, 1972), ("Lò Thị Ơn", F, 1975),
                          ("Lò Văn Tiến", M, 1998), ("Lò Thị Mai", F, 2003)]),
    (0, "Hộ Quàng Văn Ỏn", [("Quàng Văn Ỏn", M, 1968), ("Lường Thị Xiêng", F, 1970),
                            ("Quàng Thị Hương", F, 1995)]),
    (0, "Hộ Cà Văn Chung", [("Cà Văn Chung", M, 1980), ("Tòng Thị Lả", F, 1983),
                            ("Cà Thị Ánh", F, 2004),
                            ("Cà Văn Hùng", M, 2006)]),
    (0, "Hộ Hoàng Thị Bun", [("Hoàng Thị Bun", F, 1958), ("Hoàng Văn Khánh", M, 1990),
                             ("Lò Thị Thủy", F, 1992)]),
    (1, "Hộ Giàng A Chứ", [("Giàng A Chứ", M, 1976), ("Mùa Thị Dợ", F, 1979),
                           ("Giàng A Sình", M, 2001), ("Giàng Thị Mỷ", F, 2005)]),
    (1, "Hộ Sùng A Páo", [("Sùng A Páo", M, 1985), ("Thào Thị Chua", F, 1987),
                          ("Sùng A Tủa", M, 2007)]),
    (1, "Hộ Vàng A Lử", [("Vàng A Lử", M, 1965), ("Lầu Thị Mai", F, 1969),
                         ("Vàng Thị Sua", F, 1997)]),
    (1, "Hộ Mùa A Chá", [("Mùa A Chá", M, 1990), ("Hờ Thị Chi", F, 1993),
                         ("Mùa A Dế", M, 1962)]),
    (2, "Hộ Nguyễn Văn Hải", [("Nguyễn Văn Hải", M, 1978), ("Trần Thị Hoa", F, 1981),
                              ("Nguyễn Thị Ngọc", F, 2004)]),
    (2, "Hộ Lò Văn Ban", [("Lò Văn Ban", M, 1988), ("Lò Thị Khiêm", F, 1990),
                          ("Lò Văn Đức", M, 1960)]),
    (2, "Hộ Điêu Chính Tươi", [("Điêu Chính Tươi", M, 1974), ("Cầm Thị Pâng", F, 1977),
                               ("Điêu Thị Ngân", F, 2000), ("Điêu Chính Phong", M, 2002)]),
    (2, "Hộ Tòng Văn Hặc", [("Tòng Văn Hặc", M, 1983), ("Quàng Thị Lan", F, 1986),
                            ("Tòng Văn Kiên", M, 1955)]),
]
STAFF = [
    # (phone, role, name, commune, villages of assigned households)
    ("0900000001", Role.ADMIN, "Nguyễn Thị Lan", None, ()),
    ("0900000002", Role.OFFICIAL, "Cầm Văn Thắng", COMMUNE, ()),
    ("0900000003", Role.AMBASSADOR, "Lò Văn Minh", COMMUNE, (0, 1)),
    ("0900000004", Role.AMBASSADOR, "Quàng Thị Hoa", COMMUNE, (2,)),
]


def _get_or_add(model, **key):
    found = db.session.scalar(db.select(model).filter_by(**key))
    if found is None:
        found = model(**key)
        db.session.add(found)
        db.session.flush()
    return found


def load_demo_commune() -> dict:
    province = _get_or_add(Province, name=PROVINCE)
    commune = _get_or_add(Commune, province_id=province.id, name=COMMUNE)
    villages = [_get_or_add(Village, commune_id=commune.id, name=name) for name in VILLAGES]
    other = _get_or_add(Commune, province_id=province.id, name=OTHER_COMMUNE)
    other_village = _get_or_add(Village, commune_id=other.id, name="Bản Hẹo")
    _get_or_add(Household, village_id=other_village.id, name="Hộ Lường Văn Thanh")

    households = []
    for number, (village_index, name, members) in enumerate(HOUSEHOLDS, start=1):
        household = _get_or_add(Household, village_id=villages[village_index].id, name=name)
        households.append((village_index, household))
        for person_name, gender, birth_year in members:
            person = _get_or_add(Person, household_id=household.id, name=person_name)
            person.gender, person.birth_year = gender, birth_year
        phone = normalise_phone(f"09000001{number:02d}")
        household.phone = phone
        if db.session.scalar(db.select(Account.id).where(Account.phone == phone)) is None:
            create_account(phone=phone, name=name, role=Role.LEARNER, secret=HOUSEHOLD_PIN,
                           household_id=household.id)

    for phone, role, name, commune_name, assigned_villages in STAFF:
        account = db.session.scalar(
            db.select(Account).where(Account.phone == normalise_phone(phone))
        )
        if account is None:
            person = Person(name=name)
            db.session.add(person)
            db.session.flush()
            account = create_account(
                phone=phone, name=name, role=role, secret=STAFF_PASSWORDS[role],
                commune_id=commune.id if commune_name else None, person_id=person.id,
            )
            db.session.flush()
        assigned = {h.id for h in account.assigned_households}
        for village_index, household in households:
            if village_index in assigned_villages and household.id not in assigned:
                db.session.execute(ambassador_assignment.insert().values(
                    account_id=account.id, household_id=household.id))
    db.session.flush()
    people_changed(db.session.scalars(db.select(Person.id).join(Household).where(
        Household.village_id.in_([village.id for village in villages]))).all())
    db.session.commit()
    load_demo_progress([household for _index, household in households])
    load_demo_fieldwork([household for _index, household in households])
    load_demo_families([household for _index, household in households])
    load_demo_team(commune, [normalise_phone(phone) for phone, role, *_ in STAFF
                             if role == Role.AMBASSADOR])
    load_demo_events(commune.id, [household for _index, household in households])
    return {
        "villages": len(villages),
        "households": len(households),
        "people": sum(len(m) for _, _, m in HOUSEHOLDS),
    }
