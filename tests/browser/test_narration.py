"""Narration in a real browser: a narrator records with Chromium's fake microphone, sees the
level move, listens and sends; a reviewer publishes; the learner's Listen plays it."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.narration.models import PENDING, Recording

from ..learning_helpers import lesson_of
from ..narration_helpers import chromium_or_skip, grant, launch_with_fake_microphone
from .conftest import PHONE, assert_no_horizontal_scroll
from .test_lesson import sign_in_household, staff_page

LANGUAGE = "blt"


@pytest.fixture(scope="module")
def microphone_browser(browser):
    """A second Chromium, from the suite's own Playwright, with a fake microphone."""
    chromium_or_skip()
    launched = launch_with_fake_microphone(browser.browser_type)
    yield launched
    launched.close()


def shot(page, folder: Path, name: str) -> None:
    """A 360x740 screenshot, kept where LMS_SCREENSHOTS says (to look at), else in the
    test's own folder."""
    folder = Path(os.environ.get("LMS_SCREENSHOTS") or folder)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=False)


def test_record_review_and_listen(live_server, microphone_browser, world, app, tmp_path):
    app.config["LMS_NARRATION_DIR"] = str(tmp_path / "recordings")
    grant(world["ambassador"], LANGUAGE)
    grant(world["official"], LANGUAGE, may_review=True)
    course, lesson = lesson_of()
    recorder_url = f"{live_server}/narration/{LANGUAGE}/{course.slug}/{lesson.slug}/1"

    # The narrator records the first step on a 360-px phone.
    context, page = staff_page(microphone_browser, live_server, world["ambassador"].phone)
    context.grant_permissions(["microphone"], origin=live_server)
    page.goto(recorder_url)
    box = page.locator(".js-recorder").first
    box.get_by_role("button", name="Ghi âm").click()
    box.locator(".js-stop").wait_for()
    page.wait_for_function(
        "() => document.querySelector('.js-level').value > 0.01")  # the meter shows the sound
    page.wait_for_timeout(1500)
    assert "Đang ghi…" in box.locator(".js-time").inner_text()
    shot(page, tmp_path, "narration-recorder-recording.png")
    box.locator(".js-stop").click()
    box.locator(".js-playback").wait_for()
    page.wait_for_function("() => document.querySelector('.js-playback').readyState > 0")
    box.get_by_role("button", name="Gửi để duyệt").click()
    box.get_by_text("Đã gửi.").wait_for()
    assert_no_horizontal_scroll(page)
    shot(page, tmp_path, "narration-recorder-sent.png")
    context.close()
    db.session.commit()
    recording = db.session.scalar(select(Recording))
    assert recording.status == PENDING and recording.container == "webm"
    assert recording.milliseconds >= 1000

    # The reviewer listens and publishes.
    context, page = staff_page(microphone_browser, live_server, world["official"].phone)
    page.goto(f"{live_server}/narration/review")
    audio = page.locator("audio.recording").first
    assert audio.get_attribute("src") == f"/narration/recordings/{recording.filename}"
    page.evaluate("() => document.querySelector('audio.recording').play()")
    page.wait_for_function("() => document.querySelector('audio.recording').currentTime > 0")
    assert_no_horizontal_scroll(page)
    shot(page, tmp_path, "narration-review.png")
    page.get_by_role("button", name="Đăng").click()
    page.get_by_text("Đã đăng: người học sẽ nghe bản ghi này.").wait_for()
    context.close()

    # The learner's Listen plays the published recording, first thing on the step.
    context = microphone_browser.new_context(viewport=PHONE, locale="vi-VN")
    learner = context.new_page()
    sign_in_household(learner, live_server, world["mine"].members[0].name)
    learner.goto(f"{live_server}/learn/{course.slug}/{lesson.slug}/1?lang={LANGUAGE}")
    listen = learner.locator("article.step audio.recording").first
    assert listen.get_attribute("src") == f"/narration/recordings/{recording.filename}"
    learner.evaluate("() => document.querySelector('article.step audio.recording').play()")
    learner.wait_for_function(
        "() => document.querySelector('article.step audio.recording').currentTime > 0")
    assert learner.evaluate(
        "() => document.querySelector('article.step audio.recording').error") is None
    assert learner.locator("button.listen").count() == 0 or not learner.locator(
        "article.step > button.listen").first.is_visible()
    context.close()


def test_without_javascript_the_recorder_says_so(live_server, microphone_browser, world, app,
                                                 tmp_path):
    app.config["LMS_NARRATION_DIR"] = str(tmp_path / "recordings")
    grant(world["ambassador"], LANGUAGE)
    course, lesson = lesson_of()
    context = microphone_browser.new_context(viewport=PHONE, java_script_enabled=False,
                                             locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/login")
    from ..conftest import TEST_PASSWORD

    page.fill("input[name=phone]", world["ambassador"].phone)
    page.fill("input[name=secret]", TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server}/narration/{LANGUAGE}/{course.slug}/{lesson.slug}/1")
    assert "Ghi âm cần JavaScript" in page.inner_text("main")
    assert not page.locator(".js-recorder").first.is_visible()
    assert_no_horizontal_scroll(page)
    shot(page, tmp_path, "narration-recorder-no-js.png")
    context.close()
