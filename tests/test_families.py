"""Digital Family status: the criteria file, the stored status and its history, the badge,
the certificate and its public check."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.accounts.models import Gender, Person
from lms.ambassadors import operations
from lms.ambassadors.models import GuidanceVisit, VerifiedSkill
from lms.audit import AuditEntry
from lms.content.catalog import catalog
from lms.extensions import db
from lms.families import criteria, status
from lms.families.models import DigitalFamily, DigitalFamilyChange
from lms.learning.models import LessonProgress, Status
from lms.models_common import utcnow
from lms.places.models import Household, Village

from .ambassador_helpers import consent_all
from .family_helpers import (
    VILLAGER_THREE,
    complete_online,
    decode_qr,
    svg_modules,
    verify_in_person,
)

DEFAULT_FILE = Path(criteria.__file__).parent / "digital_family.yaml"


def this_year() -> int:
    return status.local_today().year


def stored(household) -> DigitalFamily | None:
    db.session.expire_all()
    return db.session.get(DigitalFamily, household.id)


def make_reached(world, household=None):
    """Every member does Online safety (the first in person), the first all three."""
    household = household or world["mine"]
    consent_all(household, world["ambassador"])
    first, *others = household.members
    verify_in_person(world["ambassador"], first, "online-safety")
    for slug in ("public-services", "digital-payments"):
        complete_online(first, slug)
    for member in others:
        complete_online(member, "online-safety")
    return household


# --- the criteria file ---------------------------------------------------------------------


def test_the_default_criteria_file_is_correct(runner):
    result = runner.invoke(args=["cohorts", "check"])
    assert result.exit_code == 0, result.output
    found = criteria.read_criteria(DEFAULT_FILE, set(catalog().courses)).criteria
    assert found.unknown_birth_year == criteria.ADULT
    assert [(r.who, r.min_age, r.courses) for r in found.rules] == [
        ("every_member", 15, ("online-safety",)),
        ("one_member", 18, VILLAGER_THREE)]
    assert all(catalog().course(slug).track == "villager" for slug in VILLAGER_THREE)


TYPOS = [
    # (text, line of the problem, words of the message)
    ("unknown_birth_year: adult\nrules:\n  - who: every_member\n    min_age: 15\n"
     "    coursse: [online-safety]\n", 5, "coursse"),
    ("rules:\n  - who: every_member\n    min_age: 15\n    courses:\n      - online-safety\n"
     "      - onlin-safety\n", 6, "onlin-safety"),
    ("rules:\n  - who: everyone\n    min_age: 15\n    courses: [online-safety]\n", 2, "who"),
    ("rules:\n  - who: one_member\n    min_age: fifteen\n    courses: [online-safety]\n",
     3, "min_age"),
    ("rule:\n  - who: one_member\n", 1, "rule"),
    ("rules:\n  - who: one_member\n    min_age: 18\n    courses: [online-safety\n", 5, "YAML"),
    ("unknown_birth_year: maybe\nrules:\n  - who: one_member\n    min_age: 18\n"
     "    courses: [online-safety]\n", 1, "unknown_birth_year"),
]


@pytest.mark.parametrize(("text", "line", "words"), TYPOS)
def test_a_typo_in_the_criteria_file_is_reported_as_file_line(app, runner, tmp_path,
                                                              make_household, text, line,
                                                              words):
    household = make_household()
    path = tmp_path / "criteria.yaml"
    path.write_text(text, encoding="utf-8")
    app.config["LMS_DIGITAL_FAMILY_FILE"] = str(path)
    criteria.forget()
    result = runner.invoke(args=["cohorts", "check"], env={"LANG": "en"})
    assert result.exit_code == 1
    assert f"{path}:{line}: " in result.output and words in result.output, result.output
    refresh = runner.invoke(args=["cohorts", "refresh"], env={"LANG": "en"})
    assert refresh.exit_code == 1 and f"{path}:{line}: " in refresh.output
    # While the file has a problem, nothing is judged and nothing written.
    assert status.refresh_households([household.id]) == []
    assert stored(household) is None


def test_the_criteria_file_path_is_a_setting(app, runner, tmp_path, world):
    path = tmp_path / "strict.yaml"
    path.write_text("unknown_birth_year: child\nrules:\n  - who: every_member\n"
                    "    min_age: 0\n    courses: [phone-basics]\n", encoding="utf-8")
    app.config["LMS_DIGITAL_FAMILY_FILE"] = str(path)
    criteria.forget()
    result = runner.invoke(args=["cohorts", "check"], env={"LANG": "en"})
    assert result.exit_code == 0 and "1 rules over 1 courses" in result.output
    household = world["mine"]
    for member in household.members:
        complete_online(member, "phone-basics")
    assert stored(household).reached


def test_cohorts_refresh_judges_every_household_again(app, runner, tmp_path, world):
    make_reached(world)
    assert stored(world["mine"]).reached
    path = tmp_path / "harder.yaml"
    path.write_text("rules:\n  - who: every_member\n    min_age: 15\n"
                    "    courses: [online-safety, ai-assistants]\n", encoding="utf-8")
    app.config["LMS_DIGITAL_FAMILY_FILE"] = str(path)
    result = runner.invoke(args=["cohorts", "refresh"], env={"LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert not stored(world["mine"]).reached
    assert db.session.scalar(db.select(db.func.count(DigitalFamily.household_id))) == 3


# --- judging against a brute-force reading of the file -------------------------------------


def brute_force(rules_file: Path, members: list[dict], year: int) -> bool:
    """The criteria read straight from the YAML, without the application's code: a member
    has done a course when every lesson of its course.yaml is completed, or every skill
    of it is verified."""
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    unknown_is_adult = rules.get("unknown_birth_year", "adult") == "adult"

    def course_yaml(slug):
        root = Path(__file__).parent.parent / "courses" / slug / "course.yaml"
        return yaml.safe_load(root.read_text(encoding="utf-8"))

    def done(member, slug):
        data = course_yaml(slug)
        lessons = {lesson["slug"] for lesson in data["lessons"]}
        skills = {skill["id"] for skill in data.get("skills", [])}
        return lessons <= member["lessons"].get(slug, set()) or (
            bool(skills) and skills <= member["skills"].get(slug, set()))

    def aged(member, age):
        if member["birth_year"] is None:
            return unknown_is_adult
        return year - member["birth_year"] >= age

    for rule in rules["rules"]:
        concerned = [m for m in members if m["active"] and aged(m, rule["min_age"])]
        meets = [all(done(m, slug) for slug in rule["courses"]) for m in concerned]
        if rule["who"] == "every_member" and not all(meets):
            return False
        if rule["who"] == "one_member" and not any(meets):
            return False
    return True


def _member_strategy():
    def course_part(slug):
        course = catalog().course(slug)
        lessons = [lesson.slug for lesson in course.lessons]
        skills = [skill.id for skill in course.skills]
        # Mostly all or nothing, so that both sides of the line are often reached.
        return st.tuples(
            st.one_of(st.just(set(lessons)), st.just(set()), st.sets(st.sampled_from(lessons))),
            st.one_of(st.just(set()), st.just(set(skills)), st.sets(st.sampled_from(skills))))

    return st.fixed_dictionaries({
        "age": st.one_of(st.none(), st.integers(0, 90),
                         st.sampled_from([14, 15, 17, 18])),
        "active": st.booleans() | st.just(True),
        "courses": st.fixed_dictionaries({slug: course_part(slug) for slug in VILLAGER_THREE}),
    })


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_status_matches_a_brute_force_reading_of_the_criteria(app, make_village, data):
    village = db.session.scalar(db.select(Village)) or make_village()  # one per test
    year = this_year()
    members = data.draw(st.lists(_member_strategy(), min_size=0, max_size=5))
    household = Household(village=village, name="Hộ thử")
    db.session.add(household)
    db.session.flush()
    visit = GuidanceVisit(visit_uuid=str(uuid.uuid4()), household_id=household.id,
                          visited_on=status.local_today(), practised=[])
    db.session.add(visit)
    db.session.flush()
    facts, now = [], utcnow()
    for index, member in enumerate(members):
        birth_year = None if member["age"] is None else year - member["age"]
        person = Person(household=household, name=f"Người {index}", gender=Gender.FEMALE,
                        birth_year=birth_year, active=member["active"])
        db.session.add(person)
        db.session.flush()
        fact = {"birth_year": birth_year, "active": member["active"], "lessons": {},
                "skills": {}}
        for slug, (lessons, skills) in member["courses"].items():
            fact["lessons"][slug], fact["skills"][slug] = lessons, skills
            for lesson in lessons:
                db.session.add(LessonProgress(
                    person_id=person.id, course=slug, lesson=lesson, status=Status.COMPLETED,
                    attempts=1, time_spent_seconds=60, first_seen=now, last_seen=now,
                    completed_at=now, content_version="x"))
            for skill in skills:
                db.session.add(VerifiedSkill(visit_id=visit.id, person_id=person.id,
                                             course=slug, skill=skill,
                                             verified_on=status.local_today()))
        facts.append(fact)
    db.session.flush()
    status.refresh_households([household.id])
    db.session.commit()
    expected = brute_force(DEFAULT_FILE, facts, year)
    assert stored(household).reached is expected
    judged = status.judge_household(household)
    assert judged.reached is expected and (not judged.missing) is expected


# --- history -------------------------------------------------------------------------------


def test_reached_lost_reached_keeps_the_history_with_dates(app, world, monkeypatch):
    clock = {}
    monkeypatch.setattr(status, "utcnow", lambda: clock["now"])
    flips = []
    real = status.people_changed
    monkeypatch.setattr(status, "people_changed",
                        lambda ids: flips.append(sorted(ids)) or real(ids))
    household = world["mine"]
    clock["now"] = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 3 March, 03:00 in Vietnam
    make_reached(world)
    first = stored(household)
    assert first.reached and first.since.isoformat() == "2026-03-03"
    code = first.certificate_code
    assert code.startswith("gd.")
    assert flips == [sorted(m.id for m in household.members)]

    # A member aged 14 does not count; one aged 15 takes the status away.
    clock["now"] = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
    operations.add_member(household, {"name": "Lò Văn Bé", "gender": "male",
                                      "birth_year": 2026 - 14})
    assert stored(household).reached
    newcomer = operations.add_member(household, {"name": "Lò Thị Nhỏ", "gender": "female",
                                                 "birth_year": 2026 - 15})
    lost = stored(household)
    assert not lost.reached and lost.since is None and lost.certificate_code == code
    assert newcomer.id in flips[-1]

    clock["now"] = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)  # 2 May in Vietnam
    complete_online(newcomer, "online-safety")
    again = stored(household)
    assert again.reached and again.since.isoformat() == "2026-05-02"
    assert again.certificate_code == code  # a certificate handed out stays verifiable
    history = [(c.reached, c.on.isoformat()) for c in status.history(household.id)]
    assert history == [(True, "2026-03-03"), (False, "2026-04-10"), (True, "2026-05-02")]
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "household", AuditEntry.object_id == household.id,
        AuditEntry.action.like("digital_family.%")).order_by(AuditEntry.id)).all()
    assert actions == ["digital_family.reached", "digital_family.lost",
                       "digital_family.reached"]
    assert len(flips) == 3


def test_deactivating_a_member_or_the_household_moves_the_status(app, world):
    household = make_reached(world)
    newcomer = operations.add_member(household, {"name": "Lò Thị Nhỏ", "gender": "female",
                                                 "birth_year": this_year() - 30})
    assert not stored(household).reached
    operations.set_member_active(newcomer, False)  # moved away
    assert stored(household).reached
    operations.set_household_active(household, False)
    assert not stored(household).reached
    assert [c.reached for c in status.history(household.id)] == [True, False, True, False]


def test_a_corrected_visit_that_removes_the_skills_takes_the_status_away(app, world):
    from lms.ambassadors.visits import correct_visit

    household = make_reached(world)
    visit = db.session.scalar(db.select(GuidanceVisit).where(
        GuidanceVisit.household_id == household.id))
    first = household.members[0]
    correct_visit(visit, world["ambassador"], {
        "household": household.id, "date": visit.visited_on.isoformat(),
        "present": [first.id], "practised": [], "verified": [], "note": ""})
    assert not stored(household).reached
    assert db.session.scalar(db.select(db.func.count(DigitalFamilyChange.id))) == 2


# --- pages and API -------------------------------------------------------------------------


def test_the_badge_says_what_is_missing_in_plain_words(app, world, signed_in):
    household = world["mine"]
    consent_all(household, world["ambassador"])
    first, second, third = household.members
    for slug in VILLAGER_THREE:
        complete_online(first, slug)
    complete_online(second, "online-safety")
    page = signed_in("mine").get("/learn?lang=en").get_data(as_text=True)
    assert f"{third.name}: finish Staying safe online" in page
    assert first.name + ":" not in page and "Digital Family certificate" not in page
    vi = signed_in("mine").get("/learn?lang=vi").get_data(as_text=True)
    assert f"{third.name}: học xong An toàn trên mạng" in vi
    staff = signed_in("ambassador").get(f"/ambassador/households/{household.id}?lang=en")
    assert f"{third.name}: finish Staying safe online" in staff.get_data(as_text=True)

    complete_online(third, "online-safety")
    page = signed_in("mine").get("/learn?lang=en").get_data(as_text=True)
    assert "Digital Family certificate" in page and "Still to do" not in page
    home = signed_in("ambassador").get("/ambassador/?lang=en").get_data(as_text=True)
    assert home.count('class="tag ok">Digital Family<') == 1
    village = signed_in("official").get(f"/admin/villages/{household.village_id}?lang=en")
    assert 'class="tag ok">Digital Family<' in village.get_data(as_text=True)


def test_one_adult_missing_is_named_with_the_closest_member(app, world, signed_in):
    household = world["mine"]
    for member in household.members:
        complete_online(member, "online-safety")
    complete_online(household.members[1], "public-services")
    page = signed_in("mine").get("/learn?lang=en").get_data(as_text=True)
    assert (f"{household.members[1].name} (or another member aged 18 or over): finish "
            "Digital payments") in page


def test_the_households_api_gives_the_stored_status(app, world, signed_in):
    make_reached(world)
    body = signed_in("official").get("/api/v1/households").get_json()
    families = {h["id"]: h["digital_family"] for h in body}
    assert families[world["mine"].id] == {"reached": True,
                                          "since": status.local_today().isoformat()}
    assert families[world["theirs"].id] == {"reached": False, "since": None}


# --- certificate, QR and public check ------------------------------------------------------


def certificate_url(household) -> str:
    return f"/households/{household.id}/digital-family"


def test_the_certificate_is_seen_only_by_its_household_and_staff_in_scope(app, world,
                                                                        signed_in, client):
    household = world["mine"]
    assert signed_in("mine").get(certificate_url(household)).status_code == 404  # not yet
    make_reached(world)
    for who in ("mine", "ambassador", "official", "admin"):
        assert signed_in(who).get(certificate_url(household)).status_code == 200, who
    for who in ("theirs", "far", "far_official"):
        assert signed_in(who).get(certificate_url(household)).status_code == 404, who
    assert client.get(certificate_url(household)).status_code == 302  # sign in first
    assert signed_in("ambassador").get(certificate_url(world["theirs"])).status_code == 404


def test_the_qr_code_decodes_to_the_absolute_verify_url(app, world, signed_in):
    make_reached(world)
    code = stored(world["mine"]).certificate_code
    page = signed_in("mine").get(certificate_url(world["mine"])).get_data(as_text=True)
    start = page.index("<svg", page.index('<div class="qr">'))
    svg = page[start:page.index("</svg>", start) + 6]
    expected = f"http://localhost/verify/{code}"
    decoded = decode_qr(svg)
    if decoded is not None:  # zxing-cpp installed
        assert decoded == expected
    # And always: the drawn modules are exactly the URL's QR matrix.
    matrix = segno.make(expected, error="m").matrix
    assert svg_modules(svg) == {(r + 4, c + 4) for r, row in enumerate(matrix)
                                for c, dark in enumerate(row) if dark}
    assert world["mine"].name in page and world["village"].name in page
    assert all(m.name not in page for m in world["mine"].members[1:])


def test_anyone_may_verify_and_sees_only_name_village_and_date(app, world, client):
    household = make_reached(world)
    code = stored(household).certificate_code
    response = client.get(f"/verify/{code}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This certificate is real" in page
    assert household.name in page and world["village"].name in page
    assert status.local_today().strftime("%Y") in page
    for member in household.members:
        if member.name != household.name:
            assert member.name not in page
    assert world["home"].name not in page and "digital-family" not in page
    assert client.get("/verify/gd.nothing-here").status_code == 404
    # Lost: the same code says so, still with nothing else.
    operations.add_member(household, {"name": "Lò Thị Nhỏ", "gender": "female",
                                      "birth_year": this_year() - 20})
    page = client.get(f"/verify/{code}?lang=en").get_data(as_text=True)
    assert "does not meet the Digital Family criteria at present" in page
    assert "Hộ Hộ" not in page
    assert "Lò Thị Nhỏ" not in page


def test_course_certificates_still_verify_beside_family_codes(app, world, client):
    from lms.learning.models import Certificate

    complete_online(world["mine"].members[0], "online-safety")
    issued = db.session.scalar(db.select(Certificate))
    assert "." not in issued.code
    response = client.get(f"/verify/{issued.code}?lang=en")
    assert response.status_code == 200 and "This certificate is real" in response.get_data(
        as_text=True)
    assert client.get("/verify/gd.").status_code == 404


def test_scope_of_the_household_page_for_the_badge(app, world, signed_in):
    make_reached(world)
    assert signed_in("far_official").get(
        f"/ambassador/households/{world['mine'].id}").status_code == 404


def test_an_unknown_birth_year_counts_as_an_adult_by_default(app, world):
    household = make_reached(world)
    unknown = operations.add_member(household, {"name": "Lò Văn Ẩn", "gender": "male",
                                                "birth_year": None})
    assert not stored(household).reached
    complete_online(unknown, "online-safety")
    assert stored(household).reached


def test_the_demo_has_households_on_both_sides_of_the_line(app, runner):
    from lms.demo_families import ALMOST, CLOSE, REACHED

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    households = {h.name: h for h in db.session.scalars(db.select(Household))}
    assert stored(households[REACHED[0]]).reached
    close = households[CLOSE[0]]
    assert not stored(close).reached
    judged = status.judge_household(close)
    assert [(m.person.name, m.courses) for m in judged.missing] == [(ALMOST[1], (ALMOST[2],))]
    assert db.session.scalar(db.select(db.func.count(DigitalFamily.household_id)).where(
        DigitalFamily.reached.is_(True))) == 1
