"""The ambassador's home (needs a visit first), the staff person page, and assisted learning."""

from datetime import UTC, datetime, timedelta

from lms.accounts.models import Person
from lms.ambassadors import needs_help
from lms.content.catalog import catalog
from lms.extensions import db
from lms.learning.models import ProgressEvent

from .ambassador_helpers import consent_all, post_visits, visit
from .conftest import csrf_from
from .learning_helpers import lesson_of, walk_lesson


def test_home_puts_households_needing_help_first_naming_reason_and_lesson(
        signed_in, world, make_household, make_staff):
    calm = make_household(world["village"], "Hộ Cà Văn Ún", members=1)
    db.session.execute(db.text("INSERT INTO ambassador_assignment (account_id, household_id,"
                               " assigned_at) VALUES (:a, :h, :t)"),
                       {"a": world["ambassador"].id, "h": calm.id, "t": datetime.now(UTC)})
    stuck = world["mine"].members[0]
    stuck.created_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()
    needs_help.refresh([stuck.id])
    db.session.commit()
    page = signed_in("ambassador").get("/ambassador/?lang=en").get_data(as_text=True)
    # A new learner is pointed at the first lesson of the first course on their home.
    first_course = min(catalog().for_track("villager"), key=lambda course: course.order)
    title = first_course.lessons[0].texts["en"].title
    assert page.index(world["mine"].name) < page.index("Hộ Cà Văn Ún")
    assert f"Has not started after a month: {title}" in page
    assert "never visited" in page and world["theirs"].name not in page
    assert "/learn/ambassador-track" in page


def test_person_page_shows_skills_visits_and_needs_help(signed_in, world):
    consent_all(world["mine"], world["ambassador"])
    client = signed_in("ambassador")
    post_visits(client, [visit(world["mine"])])
    person = world["mine"].members[0]
    page = client.get(f"/ambassador/people/{person.id}?lang=en").get_data(as_text=True)
    assert "Activated VNeID level 2 and signed in" in page
    assert f"seen by {world['ambassador'].name}" in page
    assert "Bà Ơn tự kích hoạt được." in page
    assert signed_in("official").get(f"/ambassador/people/{person.id}").status_code == 200
    assert client.get(f"/ambassador/people/{world['theirs'].members[0].id}").status_code == 404
    assert signed_in("mine").get(f"/ambassador/people/{person.id}").status_code == 404


def test_an_ambassador_takes_a_lesson_beside_a_member(signed_in, world):
    client = signed_in("ambassador")
    person = world["mine"].members[1]
    token = csrf_from(client, f"/ambassador/people/{person.id}")
    response = client.post(f"/ambassador/people/{person.id}/assist",
                           data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get("/learn?lang=en").get_data(as_text=True)
    assert f"Learning with {person.name}" in page
    course, lesson = lesson_of()
    walk_lesson(client, course, lesson)
    events = db.session.scalars(db.select(ProgressEvent)).all()
    assert events and {e.person_id for e in events} == {person.id}
    assert {e.account_id for e in events} == {world["ambassador"].id}
    page = client.get(f"/ambassador/people/{person.id}?lang=en").get_data(as_text=True)
    assert "with ambassador" in page
    client.post("/ambassador/assist/stop", data={"csrf_token": token})
    assert "Learning with" not in client.get("/learn?lang=en").get_data(as_text=True)


def test_assisting_is_only_for_assigned_members_and_needs_csrf(signed_in, world):
    client = signed_in("ambassador")
    token = csrf_from(client, "/ambassador/")
    outsider = world["theirs"].members[0]
    assert client.post(f"/ambassador/people/{outsider.id}/assist",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/ambassador/people/{world['mine'].members[0].id}/assist"
                       ).status_code == 400
    # A stale choice that has left scope is dropped, not used.
    with client.session_transaction() as session:
        session["assisted_person_id"] = outsider.id
    page = client.get("/learn?lang=en").get_data(as_text=True)
    assert outsider.name not in page
    assert db.session.get(Person, outsider.id) is not None
