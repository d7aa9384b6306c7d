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
its ambassador). The same goes for an event (own: run by Mine's ambassador; same: run by
Home's official; other: of Away, each with one attendance mark of Mine's, Theirs' or Far's
member) and a team (own: with Mine's ambassador; same: another Home team; other: of Away).
Every household has reached Digital Family. A recording is own (published, Tai Dam), same
(pending, Tai Dam) or other (pending, H'Mong); a workbench or narration page is in own: the
translator's language (Tai Dam), same: another community language, other: Vietnamese.
A cell is one outcome for all three objects, or three outcomes "own same other":

    200 / 204 / 400  that status          302    a redirect, not to sign-in
    login            a redirect to sign-in     401 / 403 / 404 / 405   refused

The callers: anonymous; a household's shared phone (Mine, first member picked); a
personal learner (Mine's third member with their own PIN); the ambassador of Home
assigned to Mine; the official of Home; an admin; a translator (a Home staff account
with a LanguageGrant for Tai Dam that may also review, and no households).

GET is tried for every route that has GET; a POST-only route is tried with a POST
carrying only a CSRF token. For every route taking POST, every caller refused by the
table (login, 401, 403, 404) is also refused on POST, and nothing is written.
"""

import hashlib
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from lms.accounts.models import Account, Role
from lms.ambassadors.pins import set_member_pin
from lms.ambassadors.visits import record_visits
from lms.content.catalog import catalog
from lms.events import operations as event_ops
from lms.events.models import EventAttendance
from lms.extensions import db
from lms.families import status as family_status
from lms.families.models import DigitalFamily
from lms.learning.models import Certificate
from lms.narration import operations as narration_ops
from lms.narration.models import PENDING, PUBLISHED, Recording
from lms.teams import operations as team_ops
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
BLT = "blt"  # the translator's language (translator and reviewer)
# own: the translator's language; same: another community language; other: Vietnamese.
LANGUAGES = (BLT, "hmn", "vi")

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
    "api.events": ("401", R, R, A, A, A, A),
    "api.post_attendance": ("401", R, R, "400 400 404", "400 400 404", R, "400 400 404"),
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
    "events.edit_event": (L, R, R, OWN, HOME, R, R),
    "events.event": (L, R, R, HOME, HOME, R, HOME),
    "events.index": (L, R, R, A, A, R, A),
    "events.mark": (L, R, R, HOME, HOME, R, HOME),
    "events.new_event": (L, R, R, A, A, R, A),
    "events.people": (L, R, R, HOME, HOME, R, HOME),
    "events.sheet": (L, R, R, HOME, HOME, R, HOME),
    "events.unmark": (L, R, R, OWN, HOME, R, R),
    "events.walk_in": (L, R, R, "400 400 404", "400 400 404", R, "400 400 404"),
    "families.certificate": (L, OWN, OWN, OWN, HOME, A, R),
    "families.verify": (A, A, A, A, A, A, A),
    "learning.certificate": (L, A, R, R, R, R, R),
    "learning.course": (L, A, A, A, R, R, A),
    "learning.course_file": (A, A, A, A, A, A, A),
    "learning.home": (L, A, A, A, R, R, A),
    "learning.lesson": (L, "302", "302", "302", R, R, "302"),
    "learning.result": (L, "302", "302", "302", R, R, "302"),
    "learning.step": (L, A, A, A, R, R, A),
    "learning.verify": (A, A, A, A, A, A, A),
    "narration.decide": (L, R, R, R, R, R, "400 400 404"),
    "narration.home": (L, R, R, R, R, R, A),
    "narration.record": (L, R, R, R, R, R, OWN),
    "narration.recording_file": (*(OWN,) * 6, HOME),
    "narration.review": (L, R, R, R, R, R, A),
    "narration.upload": (L, R, R, R, R, R, "400 404 404"),
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
    "teams.add_member": (L, R, R, R, "400 400 404", "400", R),
    "teams.index": (L, R, R, A, A, A, A),
    "teams.new": (L, R, R, R, A, A, R),
    # The official has taken those two members out already when the admin's turn comes:
    # a member no longer in the team is refused.
    "teams.remove_member": (L, R, R, R, "302 302 404", "400 400 302", R),
    "teams.rename": (L, R, R, R, HOME, A, R),
    "teams.team": (L, R, R, OWN, HOME, A, R),
    # The list of one's languages, with a word for staff who have none yet.
    "translating.index": (L, R, R, A, A, A, A),
    "translating.interface_string": (L, R, R, R, R, R, OWN),
    "translating.lesson_part": (L, R, R, R, R, R, OWN),
    "translating_admin.give": (L, R, R, R, R, "400", R),
    "translating_admin.take_back": (L, R, R, R, R, "302", R),
    "translating_admin.translators": (L, R, R, R, R, A, R),
}

# The URL parameters of a route → the kind of object that fills them.
KINDS = {
    (): "", ("person_id",): "person", ("household_id",): "household",
    ("village_id",): "village", ("commune_id",): "commune", ("account_id",): "account",
    ("visit_id",): "visit", ("account_id", "household_id"): "assignment",
    ("course_slug",): "course", ("course_slug", "lesson_slug"): "lesson",
    ("course_slug", "lesson_slug", "number"): "step", ("slug",): "slug",
    ("course_slug", "path"): "file", ("code",): "code", ("filename",): "static",
    ("event_id",): "event", ("attendance_id", "event_id"): "attendance",
    ("team_id",): "team", ("account_id", "team_id"): "team_member",
    ("token",): "token", ("recording_id",): "recording", ("name",): "sound",
    ("grant_id",): "grant", ("language", "number"): "interface",
    ("course_slug", "language", "lesson_slug", "number"): "narrate",
    ("course_slug", "language", "lesson_slug", "part"): "piece",
}
ONE_OBJECT = {"", "course", "lesson", "step", "slug", "file", "code", "static", "token",
              "grant"}


def kind_of(rule) -> str:
    arguments = tuple(sorted(rule.arguments))
    assert arguments in KINDS, f"{rule.rule}: add its parameters {arguments} to KINDS"
    return KINDS[arguments]


# --- the world ---------------------------------------------------------------------------


@pytest.fixture
def matrix(app, world, make_staff, tmp_path):
    """The conftest world plus a personal learner, an ambassador for each other
    household, a translator, one visit per household and a certificate."""
    home, away = world["home"], world["away"]
    mine, theirs, far = world["mine"], world["theirs"], world["far"]
    other_ambassador = make_staff(Role.AMBASSADOR, "0911000014", home, [theirs])
    far_ambassador = make_staff(Role.AMBASSADOR, "0911000015", away, [far])
    translator = make_staff(Role.AMBASSADOR, "0911000016", home)
    app.config["LMS_NARRATION_DIR"] = str(tmp_path / "recordings")
    db.session.add(LanguageGrant(account_id=translator.id, language=BLT, may_review=True,
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
            "translator": translator, "personal": personal, "visits": visits,
            **events_of(world, other_ambassador, far_ambassador),
            "teams": teams_of(world, other_ambassador, far_ambassador),
            "families": families_of((mine, theirs, far)),
            "recordings": recordings_of(app),
            "grant": db.session.scalar(select(LanguageGrant.id).filter_by(
                account_id=translator.id))}


def events_of(w: dict, other_ambassador, far_ambassador) -> dict:
    """An event of Home run by Mine's ambassador, one run by Home's official and one of
    Away; at each, one member of Mine, Theirs and Far respectively is marked present."""
    found, marks = [], []
    for runner, household in ((w["ambassador"], w["mine"]), (w["official"], w["theirs"]),
                              (far_ambassador, w["far"])):
        event = event_ops.create_event(runner, {
            "title": "Lớp học điện thoại", "kind": "class", "held_on": event_ops.local_today(),
            "place": "Nhà văn hoá", "village_id": None, "courses": [COURSE]})
        result = event_ops.record_attendance(runner, event, [
            {"id": event_ops.new_mark_id(), "person": household.members[0].id}])
        assert result.accepted, result.rejected
        found.append(event.id)
        marks.append(db.session.scalar(select(EventAttendance.id).filter_by(
            event_id=event.id)))
    return {"events": found, "marks": marks}


def teams_of(w: dict, other_ambassador, far_ambassador) -> list[int]:
    """A Home team with Mine's ambassador, another Home team, and a team of Away."""
    found = []
    for commune, name, member in ((w["home"], "Đội bản Mé", w["ambassador"]),
                                  (w["home"], "Đội bản Nà", other_ambassador),
                                  (w["away"], "Đội xã xa", far_ambassador)):
        team = team_ops.create_team(commune, name, w["admin"])
        team_ops.add_member(team, member.id)
        found.append(team.id)
    return found


def families_of(households) -> list[str]:
    """Mine, Theirs and Far have reached Digital Family: their certificate codes."""
    codes = [family_status._new_code() for _household in households]
    for household, code in zip(households, codes, strict=True):
        family = db.session.get(DigitalFamily, household.id) or DigitalFamily(
            household_id=household.id)
        family.reached, family.since = True, family_status.local_today()
        family.certificate_code = code
        db.session.add(family)
    db.session.commit()
    return codes


def recordings_of(app) -> list[Recording]:
    """A published Tai Dam recording, a pending Tai Dam one and a pending H'Mong one, their
    sound files stored."""
    found = []
    for number, (language, state) in enumerate(((BLT, PUBLISHED), (BLT, PENDING),
                                                ("hmn", PENDING))):
        data = f"recording {number}".encode()
        sha = hashlib.sha256(data).hexdigest()
        path = narration_ops.storage_path(sha, "webm")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        recording = Recording(course=COURSE, lesson=catalog().course(COURSE).lessons[
            LESSON].slug, step=1, language=language, text_sha=narration_ops.text_hash(""),
            sha256=sha, container="webm", bytes=len(data), milliseconds=1000,
            status=state)
        db.session.add(recording)
        found.append(recording)
    db.session.commit()
    return found


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
        "token": {"token": w["families"][0][len(family_status.CODE_PREFIX):]},
        "grant": {"grant_id": w["grant"]},
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
        "event": [{"event_id": e} for e in w["events"]],
        "attendance": [{"event_id": e, "attendance_id": m}
                       for e, m in zip(w["events"], w["marks"], strict=True)],
        "team": [{"team_id": t} for t in w["teams"]],
        "team_member": [{"team_id": t, "account_id": a.id}
                        for t, a in zip(w["teams"], ambassadors, strict=True)],
        "recording": [{"recording_id": r.id} for r in w["recordings"]],
        "sound": [{"name": r.filename} for r in w["recordings"]],
        "interface": [{"language": code, "number": 1} for code in LANGUAGES],
        "narrate": [{"course_slug": COURSE, "lesson_slug": lesson, "language": code,
                     "number": 1} for code in LANGUAGES],
        "piece": [{"course_slug": COURSE, "lesson_slug": lesson, "language": code,
                   "part": "1"} for code in LANGUAGES],
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
