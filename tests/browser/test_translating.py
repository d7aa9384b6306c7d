"""A translator saves a lesson step on a phone and at a desk; a reviewer marks it reviewed;
the learner then reads it."""

import os
import shutil
from pathlib import Path

import pytest

from lms.extensions import db
from lms.translating.models import LanguageGrant, SavedTranslation

from ..conftest import TEST_PASSWORD
from .conftest import assert_no_horizontal_scroll

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "office": {"width": 1280, "height": 800}}
FIXTURES = Path(__file__).parent.parent / "course_fixtures"


def _shot(page, name: str) -> None:
    """Screenshots for a person to look at, when LMS_SCREENSHOTS names a folder."""
    folder = os.environ.get("LMS_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_translator_saves_a_step_and_a_reviewer_marks_it_reviewed(
        app, live_server, browser, world, tmp_path, viewport):
    shutil.copytree(FIXTURES, tmp_path / "courses")
    app.config["LMS_COURSES_DIR"] = str(tmp_path / "courses")
    app.extensions.pop("lms_catalog", None)
    for account, review in ((world["ambassador"], False), (world["official"], True)):
        db.session.add(LanguageGrant(account_id=account.id, language="blt", may_review=review))
    db.session.commit()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, world["ambassador"].phone)
    page.goto(live_server + "/translate/blt/sample/first/1")
    assert page.locator("section.original").first.is_visible()
    assert_no_horizontal_scroll(page)
    page.fill("input[name=title]", "[blt] card one")
    page.fill("textarea[name=body]", "[blt] text")
    page.fill("input[name=alt]", "[blt] a screen")
    _shot(page, f"translate-card-{viewport}")
    assert page.get_by_role("button", name="Đánh dấu đã duyệt").count() == 0
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.get_by_text("Đã lưu bản nháp.").wait_for()
    # After saving, the next part opens: the practice question.
    assert page.locator("input[name=option-1-text]").is_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, f"translate-question-{viewport}")
    page.goto(live_server + "/translate")
    page.get_by_text("Khóa mẫu").click()  # open the course's lessons
    assert page.get_by_role("link", name="Bài đầu").is_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, f"translate-index-{viewport}")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, world["admin"].phone)
    page.goto(live_server + "/admin/translators")
    assert page.get_by_role("button", name="Cấp quyền này").is_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, f"translators-admin-{viewport}")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live_server, world["official"].phone)
    page.goto(live_server + "/translate/blt/sample/first/1")
    assert page.input_value("textarea[name=body]") == "[blt] text"
    page.fill("textarea[name=body]", "[blt] corrected")
    page.get_by_role("button", name="Đánh dấu đã duyệt").click()
    page.get_by_text("Đã đánh dấu đã duyệt.").wait_for()
    context.close()
    db.session.commit()  # end the test's own snapshot: see what the server wrote
    statuses = db.session.scalars(db.select(SavedTranslation.status)
                                  .order_by(SavedTranslation.id)).all()
    assert statuses == ["draft", "reviewed"]
