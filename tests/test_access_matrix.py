"""The access matrix: every route × every role × own / same-commune / other-commune object,
checked against ONE policy table (POLICY below).

A route missing from the table fails `test_every_route_is_in_the_policy_table`; add one
line for it:

    "blueprint.endpoint": (anonymous, household, personal, ambassador, official, admin,
                           translator),

The URL's parameters are filled from their names (see `KINDS` and `objects`): a route
without an object (or only a course, lesson or file) is tried once; a route naming a
person, household, village, commune, staff account or visit is tried with three objects:
own (household Mine,
its village, commune Home, the Home ambassador assigned to Mine), same (household Theirs
in another village of Home, its ambassador) and other (household Far in commune Away,
its ambassador). A cell is one outcome for all three objects, or three outcomes
"own same other":

    200 / 204 / 400  that status          302    a redirect, not to sign-in
    login            a redirect to sign-in     401 / 403 / 404 / 405   refused

The callers: anonymous; a household's shared phone (Mine, first member picked); a
personal learner (Mine's third member with their own PIN); the ambassador of Home
assigned to Mine; the official of Home; an admin; a translator (a Home staff account
with a LanguageGrant and no households).

GET is tried for every route that has GET; a POST-only route is tried with a POST
carrying only a CSRF token. For every route taking POST, every caller refused by the
table (login, 401, 403, 404) is also refused on POST, and nothing is written.
"""

from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, Role
from lms.ambassadors.pins import set_member_pin
from lms.ambassadors.visits import record_visits
from lms.content.catalog import catalog
from lms.extensions import db
from lms.learning.models import Certificate
from lms.translating.models import LanguageGrant

from .ambassador_helpers import consent_all, visit
from .conftest import CSRF_PATTERN, TEST_PASSWORD, TEST_PIN, sign_in

ROLES = ("anonymous", "household", "personal", "ambassador", "official", "admin",
         "translator")
OBJECTS = ("own", "same", "other")
REFUSED = {"login", "401", "403", "404"}
COURSE, LESSON = "public-services", 0
IMAGE = "images/activate-form.svg"
CERTIFICATE_CODE = "HS-MATRIX-0001"

A, R, L = "200", "404", "login"  # shorthands for the table
OWN = "200 404 404"  # the own object only
HOME = "200 200 404"  # objects of the caller's commune

# endpoint: (anonymous, household, personal, ambassador, official, admin, translator)
POLICY: dict[str, tuple[str, ...]] = {
    "accounts.index": ("302", "302", "302", "302", "302", "302", "302"),
    "accounts.login": (A, "302", "302", "302", "302", "302", "302"),
    "accounts.logout": (L, "302", "302", "302", "302", "302", "302"),
    "accounts.person": (L, OWN, OWN, OWN, HOME, A, R),
    "accounts.pick_person": (L, A, "302", R, R, R, R),
    "accounts.set_language": ("400", "400", "400", "400", "400", "400", "400"),
    "admin.home": (L, R, R, R, R, A, R),
    "admin_audit.audit_log": (L, R, R, R, R, A, R),
    "admin_content.check": (L, R, R, R, R, A, R),
    "admin_content.content": (L, R, R, R, R, A, R),
    "admin_content.load": (L, R, R, R, R, "302", R),
    "admin_content.translations": (L, R, R, R, R, A, R),
    "admin_people.erase": (L, R, R, R, R, "400", R),
    "admin_people.export": (L, R, R, R, R, "400", R),
    "admin_people.people": (L, R, R, R, R, A, R),
    "admin_people.person": (L, R, R, R, R, A, R),
    "admin_places.commune": (L, R, R, R, HOME, A, R),
    "admin_places.commune_active": (L, R, R, R, R, "302", R),
    "admin_places.create_commune": (L, R, R, R, R, "400", R),
    "admin_places.create_village": (L, R, R, R, R, "400", R),
    "admin_places.import_villages": (L, R, R, R, R, A, R),
    "admin_places.index": (L, R, R, R, R, A, R),
    "admin_places.merge_commune": (L, R, R, R, R, "400", R),
    "admin_places.rename_commune": (L, R, R, R, R, "400", R),
    "admin_places.rename_village": (L, R, R, R, R, "400", R),
    "admin_places.village": (L, R, R, R, HOME, A, R),
    "admin_places.village_active": (L, R, R, R, R, "302", R),
    "admin_staff.assign": (L, R, R, R, "400 400 404", "400", R),
    "admin_staff.create_staff": (L, R, R, R, "400", "400", R),
    "admin_staff.move_household": (L, R, R, R, "400 400 404", "400", R),
    "admin_staff.reset_second_factor": (L, R, R, R, R, "302", R),
    "admin_staff.reset_secret": (L, R, R, R, HOME, A, R),
    "admin_staff.sign_out_everywhere": (L, R, R, R, "302 302 404", "302", R),
    "admin_staff.staff_active": (L, R, R, R, "302 302 404", "302", R),
    "admin_staff.staff_list": (L, R, R, R, A, A, R),
    "admin_staff.staff_page": (L, R, R, R, HOME, A, R),
    "admin_staff.unassign": (L, R, R, R, "302 302 404", "302", R),
    "ambassadors.add_member": (L, R, R, OWN, R, R, R),
    "ambassadors.assist": (L, R, R, "302 404 404", R, R, R),
    "ambassadors.correct_visit": (L, R, R, OWN, R, R, R),
    "ambassadors.edit_household": (L, R, R, OWN, R, R, R),
    "ambassadors.edit_member": (L, R, R, OWN, R, R, R),
    "ambassadors.home": (L, R, R, A, R, R, A),
    "ambassadors.household": (L, R, R, OWN, HOME, A, R),
    "ambassadors.household_active": (L, R, R, "302 404 404", R, R, R),
    "ambassadors.household_card": (L, R, R, OWN, R, R, R),
    "ambassadors.household_pin": (L, R, R, OWN, R, R, R),
    "ambassadors.member_active": (L, R, R, "302 404 404", R, R, R),
    "ambassadors.member_pin": (L, R, R, OWN, R, R, R),
    "ambassadors.person": (L, R, R, OWN, HOME, A, R),
    "ambassadors.record_consent": (L, R, R, OWN, R, R, R),
    "ambassadors.record_visit": (L, R, R, OWN, R, R, R),
    "ambassadors.register_household": (L, R, R, A, R, R, A),
    "ambassadors.stop_assisting": (L, R, R, "302", R, R, "302"),
    "ambassadors.withdraw_consent": (L, R, R, "302 404 404", R, R, R),
    "api.commune_stats": ("401", R, R, R, HOME, A, R),
    "api.course_detail": ("401", A, A, A, A, A, A),
    "api.courses": ("401", A, A, A, A, A, A),
    "api.health": (A, A, A, A, A, A, A),
    "api.households": ("401", R, R, A, A, A, A),
    "api.me": ("401", A, A, A, A, A, A),
    "api.offline_files": ("401", A, A, A, A, A, A),
    "api.person": ("401", R, R, OWN, HOME, A, R),
    "api.post_visits": ("401", R, R, "400", R, R, "400"),
    "api.progress_events": ("401", "400", "400", "400", "400", "400", "400"),
    "api.province_stats": ("401", R, R, R, R, A, R),
    "learning.certificate": (L, A, R, R, R, R, R),
    "learning.course": (L, A, A, A, R, R, A),
    "learning.course_file": (A, A, A, A, A, A, A),
    "learning.home": (L, A, A, A, R, R, A),
    "learning.lesson": (L, "302", "302", "302", R, R, "302"),
    "learning.result": (L, "302", "302", "302", R, R, "302"),
    "learning.step": (L, A, A, A, R, R, A),
    "learning.verify": (A, A, A, A, A, A, A),
    "password.change": (L, R, R, A, A, A, A),
    "pwa.manifest": (A, A, A, A, A, A, A),
    "pwa.offline_page": (A, A, A, A, A, A, A),
    "pwa.service_worker": (A, A, A, A, A, A, A),
    "second_factor.code": ("302", "302", "302", "302", "302", "302", "302"),
    "second_factor.requirement": (L, R, R, R, R, A, R),
    "second_factor.setup": (L, R, R, R, A, A, R),
    "static": (A, A, A, A, A, A, A),
    "stats.dashboard": (L, R, R, R, HOME, A, R),
    "stats.home": (L, R, R, R, A, R, R),
    "stats.report": (L, R, R, R, HOME, A, R),
    "stats.village": (L, R, R, R, HOME, A, R),
}

# The URL parameters of a route → the kind of object that fills them.
KINDS = {
    (): "", ("person_id",): "person", ("household_id",): "household",
    ("village_id",): "village", ("commune_id",): "commune", ("account_id",): "account",
    ("visit_id",): "visit", ("account_id", "household_id"): "assignment",
    ("course_slug",): "course", ("course_slug", "lesson_slug"): "lesson",
    ("course_slug", "lesson_slug", "number"): "step", ("slug",): "slug",
    ("course_slug", "path"): "file", ("code",): "code", ("filename",): "static",
}
ONE_OBJECT = {"", "course", "lesson", "step", "slug", "file", "code", "static"}


def kind_of(rule) -> str:
    arguments = tuple(sorted(rule.arguments))
    assert arguments in KINDS, f"{rule.rule}: add its parameters {arguments} to KINDS"
    return KINDS[arguments]


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def matrix(world, make_staff):
    """The conftest world plus a personal learner, an ambassador for each other
    household, a translator, one visit per household and a certificate."""
    home, away = world["home"], world["away"]
    mine, theirs, far = world["mine"], world["theirs"], world["far"]
    other_ambassador = make_staff(Role.AMBASSADOR, "0911000014", home, [theirs])
    far_ambassador = make_staff(Role.AMBASSADOR, "0911000015", away, [far])
    translator = make_staff(Role.AMBASSADOR, "0911000016", home)
    db.session.add(LanguageGrant(account_id=translator.id, language="blt", may_review=True,
                                 granted_by_id=world["admin"].id))
    personal = mine.members[2]
    personal.phone = "0911000017"
    db.session.commit()
    set_member_pin(personal, TEST_PIN)
    for ambassador, household in ((world["ambassador"], mine), (other_ambassador, theirs),
                                  (far_ambassador, far)):
        consent_all(household, ambassador)
        db.session.commit()
        result = record_visits(ambassador, [visit(household)])
        assert result.accepted, result.rejected
    db.session.add(Certificate(code=CERTIFICATE_CODE, person_id=mine.members[0].id,
                               course=COURSE))
    db.session.commit()
    from lms.ambassadors.models import GuidanceVisit

    visits = {v.household_id: v.id for v in db.session.scalars(select(GuidanceVisit))}
    return {**world, "other_ambassador": other_ambassador, "far_ambassador": far_ambassador,
            "translator": translator, "personal": personal, "visits": visits}


def objects(kind: str, w: dict) -> dict[str, dict]:
    """URL parameters of the own, same-commune and other-commune object of a kind."""
    course = catalog().course(COURSE)
    lesson = course.lessons[LESSON].slug
    households = (w["mine"], w["theirs"], w["far"])
    ambassadors = (w["ambassador"], w["other_ambassador"], w["far_ambassador"])
    fixed = {
        "": {},
        "course": {"course_slug": COURSE},
        "lesson": {"course_slug": COURSE, "lesson_slug": lesson},
        "step": {"course_slug": COURSE, "lesson_slug": lesson, "number": 1},
        "slug": {"slug": COURSE},
        "file": {"course_slug": COURSE, "path": IMAGE},
        "code": {"code": CERTIFICATE_CODE},
        "static": {"filename": "css/app.css"},
    }
    if kind in fixed:
        return {"own": fixed[kind]}
    values = {
        "person": [{"person_id": p.id} for p in (w["personal"], w["theirs"].members[0],
                                                  w["far"].members[0])],
        "household": [{"household_id": h.id} for h in households],
        "village": [{"village_id": v.id} for v in (w["village"], w["other_village"],
                                                    w["far_village"])],
        "commune": [{"commune_id": c.id} for c in (w["home"], w["home"], w["away"])],
        "account": [{"account_id": a.id} for a in ambassadors],
        "visit": [{"visit_id": w["visits"][h.id]} for h in households],
        "assignment": [{"account_id": a.id, "household_id": h.id}
                       for a, h in zip(ambassadors, households, strict=True)],
    }[kind]
    return dict(zip(OBJECTS, values, strict=True))


# --- the callers -------------------------------------------------------------------------


def token_of(client) -> str:
    for path in ("/login", "/account/password", "/who"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        match = CSRF_PATTERN.search(page)
        if match:
            return match.group(1)
    raise AssertionError("no CSRF token on any page")


def callers(app, w) -> dict:
    """A client and its CSRF token per role."""
    made = {}
    for role in ROLES:
        client = app.test_client()
        if role == "household":
            phone = db.session.scalar(select(Account.phone).filter_by(
                household_id=w["mine"].id))
            assert sign_in(client, phone, TEST_PIN).status_code == 302
            token = token_of(client)
            assert client.post("/who", data={"person": w["mine"].members[0].id,
                                             "csrf_token": token}).status_code == 302
        elif role == "personal":
            assert sign_in(client, w["personal"].phone, TEST_PIN).status_code == 302
        elif role != "anonymous":
            assert sign_in(client, w[role].phone, TEST_PASSWORD).status_code == 302
        made[role] = (client, token_of(client))
    return made


def outcome(response) -> str:
    """A redirect to sign-in that comes back afterwards (`next`) is the refusal of an
    anonymous caller; any other redirect, signing out's included, is "302"."""
    if response.status_code in (301, 302, 303, 307, 308):
        where = urlparse(response.headers["Location"])
        return L if where.path == "/login" and "next=" in where.query else "302"
    return str(response.status_code)


def snapshot() -> dict[str, list]:
    """Every row of every table but the audit trail (which records refusals by design)."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables if table.name != "audit_entry"}


def expected_cells(kind: str, cells: tuple[str, ...]) -> dict[str, dict[str, str]]:
    assert len(cells) == len(ROLES), f"{len(cells)} cells, want {len(ROLES)}"
    result = {}
    for role, cell in zip(ROLES, cells, strict=True):
        parts = cell.split()
        if kind in ONE_OBJECT:
            assert len(parts) == 1, f"{role}: one outcome for a route without an object"
            result[role] = {"own": parts[0]}
        else:
            assert len(parts) in (1, 3), f"{role}: one outcome or three"
            result[role] = dict(zip(OBJECTS, parts * 3 if len(parts) == 1 else parts,
                                    strict=True))
    return result


# --- the tests ---------------------------------------------------------------------------


def routes(app) -> dict:
    found = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.endpoint, rule)
    return found


def test_every_route_is_in_the_policy_table(app):
    endpoints = set(routes(app))
    missing = sorted(endpoints - set(POLICY))
    stale = sorted(set(POLICY) - endpoints)
    assert missing == [], f"add a line to POLICY in {__name__} for: {missing}"
    assert stale == [], f"these POLICY lines name no route: {stale}"


# Routes that end sessions or remove what later routes use: their allowed calls go last.
LAST = ("admin_staff.unassign", "admin_people.erase", "admin_staff.staff_active",
        "admin_staff.sign_out_everywhere", "admin_staff.reset_secret",
        "ambassadors.stop_assisting")


# GETs that write, and why: the one table each may write to.
GET_WRITES = {
    # The caller's own unconfirmed authenticator secret, kept so that the QR code stays
    # the same when the page is reloaded.
    "second_factor.setup": "second_factor",
}
# Allowed POSTs go by role, learners first and admins last, so that what an official or
# an admin does to a staff account (reset, sign out) comes after that account's own calls.
ROLE_ORDER = {"anonymous": 0, "household": 1, "personal": 2, "ambassador": 3,
              "translator": 3, "official": 4, "admin": 5}


def post(client, token: str, url: str):
    return client.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})


def observed_line(endpoint: str, urls: dict, observed: dict) -> str:
    cells = []
    for role in ROLES:
        found = [observed[role][name] for name in urls]
        cells.append(f'"{found[0] if len(set(found)) == 1 else " ".join(found)}"')
    return f'    "{endpoint}": ({", ".join(cells)}),'


def test_each_role_gets_what_the_policy_says(app, matrix):
    """One world for every route: GET never changes anything and refused POSTs write
    nothing (both checked), so the routes can share it; the allowed POSTs go last."""
    from flask import url_for

    clients = callers(app, matrix)
    known = routes(app)
    plan = []
    for endpoint in sorted(set(POLICY) & set(known), key=lambda e: (e in LAST, LAST.index(e)
                                                                     if e in LAST else 0, e)):
        rule, kind = known[endpoint], kind_of(known[endpoint])
        with app.test_request_context():
            urls = {name: url_for(endpoint, **params)
                    for name, params in objects(kind, matrix).items()}
        plan.append((endpoint, rule, urls, expected_cells(kind, POLICY[endpoint])))
    problems, observed, later = [], {}, []
    for endpoint, rule, urls, expected in plan:
        before = snapshot()
        seen = observed.setdefault(endpoint, {role: {} for role in ROLES})
        for role in ROLES:
            client, token = clients[role]
            for name, url in urls.items():
                want = expected[role][name]
                if "GET" not in rule.methods:
                    if want not in REFUSED:
                        later.append((endpoint, role, name, url, want))
                        continue
                    got = outcome(post(client, token, url))
                else:
                    got = outcome(client.get(url))
                    if want in REFUSED and "POST" in rule.methods:
                        posted = outcome(post(client, token, url))
                        if posted != want:
                            problems.append(f"{endpoint} {role}/{name}: POST {url} gave "
                                            f"{posted}, want {want}")
                seen[role][name] = got
                if got != want:
                    problems.append(f"{endpoint} {role}/{name}: {url} gave {got}, want {want}")
        after = snapshot()
        changed = []
        if after != before:
            changed = [table for table in before if before[table] != after[table]
                       and table != GET_WRITES.get(endpoint)]
        if changed:
            problems.append(f"{endpoint}: a GET or a refused POST wrote to {changed}")
    # Signing out goes first; then everyone signs in again for the rest.
    later.sort(key=lambda call: (call[0] != "accounts.logout", ROLE_ORDER[call[1]]))
    signed_out = False
    for endpoint, role, name, url, want in later:
        if endpoint != "accounts.logout" and not signed_out:
            clients, signed_out = callers(app, matrix), True
        client, token = clients[role]
        got = outcome(post(client, token, url))
        observed[endpoint][role][name] = got
        if got != want:
            problems.append(f"{endpoint} {role}/{name}: POST {url} gave {got}, want {want}")
    wrong = sorted({problem.split()[0].rstrip(":") for problem in problems})
    lines = [observed_line(e, urls, observed[e]) for e, _rule, urls, _x in plan if e in wrong]
    assert not problems, "\n".join(problems[:60] + ["observed:"] + lines)
