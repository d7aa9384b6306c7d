"""The demo commune's past National Digital Learning Day, with its attendees."""

from datetime import date

from sqlalchemy import func, select

from lms.accounts.models import Account
from lms.events.models import CommunityEvent, EventAttendance, EventKind
from lms.extensions import db

from .conftest import sign_in


def test_the_demo_has_a_past_learning_day_with_attendees(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # nothing twice
    events = db.session.scalars(select(CommunityEvent)).all()
    assert len(events) == 1
    event = events[0]
    assert event.title == "Ngày hội toàn dân học tập số"
    assert event.kind == EventKind.LEARNING_DAY
    assert event.held_on <= date(2026, 10, 10) and event.commune.name == "Chiềng Mung"
    assert event.created_by == db.session.scalar(
        select(Account).filter_by(phone="+84900000003"))
    attendees = db.session.scalar(select(func.count(EventAttendance.id)))
    assert attendees == 8
    villages = {mark.person.household.village.name for mark in event.attendance}
    assert villages == {"Bản Mé", "Bản Nà Ban", "Bản Púng"}

    client = app.test_client()
    sign_in(client, "0900000002", "demo-official-2026")
    body = client.get("/api/v1/events").get_json()
    assert [(e["title"], e["attendees"]) for e in body] == [(event.title, 8)]
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Lò Thị Ơn" in page and "Giàng A Chứ" in page
