"""The official's dashboard with a cohort filter, at 360×740 and 1280×800: the filter is a
plain form (no JavaScript), the new tables show and nothing scrolls sideways."""

import os
import uuid
from datetime import date

from lms.events.models import CommunityEvent, EventAttendance, EventKind
from lms.extensions import db
from lms.stats.rollups import people_changed

from .conftest import assert_no_horizontal_scroll
from .test_lesson import staff_page

SHOTS = os.environ.get("LMS_SCREENSHOTS")  # a folder to keep the screenshots in, if set


def test_a_cohort_filter_narrows_the_dashboard(live_server, browser, world):
    event = CommunityEvent(commune_id=world["home"].id, title="Ngày học số", held_on=date.today(),
                           kind=EventKind.LEARNING_DAY)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventAttendance(attendance_uuid=str(uuid.uuid4()), event_id=event.id,
                                   person_id=world["mine"].members[0].id))
    people_changed([world["mine"].members[0].id])
    db.session.commit()
    context, page = staff_page(browser, live_server, world["official"].phone)
    page.goto(f"{live_server}/official/communes/{world['home'].id}")
    page.select_option("select[name=cohort]", f"event:{event.id}")
    page.get_by_role("button", name="Xem").click()
    assert f"cohort=event%3A{event.id}" in page.url or f"cohort=event:{event.id}" in page.url
    assert page.locator("[data-table=skills]").count() == 1
    assert page.locator("[data-table=ambassadors]").count() == 1
    headline = page.locator(".headline li").first.inner_text()
    assert "<5" in headline
    assert_no_horizontal_scroll(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/stats-cohort-360.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=f"{SHOTS}/stats-cohort-1280.png", full_page=True)
    context.close()
