"""Community narration: uploads are checked from their bytes and kept by hash, reviewers
publish or send back, Listen plays what is published, and nobody hears what is not."""

import hashlib

import pytest
from sqlalchemy import func, select

from lms.audit import AuditEntry
from lms.extensions import db
from lms.narration.models import PENDING, PUBLISHED, REJECTED, Recording
from lms.narration.operations import step_items

from .conftest import csrf_from
from .learning_helpers import lesson_of
from .narration_helpers import grant, record_webm, sign_in_staff, webm_to_ogg

LANGUAGE = "blt"


@pytest.fixture(scope="session")
def sounds() -> dict[str, bytes]:
    short, long = record_webm([1200, 2600])
    return {"webm": short, "long": long, "ogg": webm_to_ogg(short)}


@pytest.fixture
def folder(app, tmp_path):
    app.config["LMS_NARRATION_DIR"] = str(tmp_path / "recordings")
    return tmp_path / "recordings"


@pytest.fixture
def team(app, world, folder):
    """The ambassador narrates Tai Dam; the official reviews it; the admin reviews H'Mong."""
    grant(world["ambassador"], LANGUAGE)
    grant(world["official"], LANGUAGE, may_review=True)
    grant(world["admin"], "hmn", may_review=True)
    return {"narrator": sign_in_staff(app, world["ambassador"]),
            "reviewer": sign_in_staff(app, world["official"]),
            "other_reviewer": sign_in_staff(app, world["admin"])}


def step_path(number: int = 1, language: str = LANGUAGE, lesson_slug: str | None = None):
    course, lesson = lesson_of()
    return f"/narration/{language}/{course.slug}/{lesson_slug or lesson.slug}/{number}"


def quiz_step() -> int:
    _course, lesson = lesson_of()
    return lesson.texts[LANGUAGE].quiz_steps[0].number


def upload(client, data: bytes, number: int = 1, option: str = "",
           content_type: str = "audio/webm;codecs=opus", language: str = LANGUAGE, **extra):
    from io import BytesIO

    path = step_path(number, language, **extra)
    token = csrf_from(client, step_path())
    return client.post(path, data={"audio": (BytesIO(data), "recording.webm", content_type),
                                   "option": option},
                       headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def count() -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Recording))


def publish(client, recording_id: int, **fields):
    token = csrf_from(client, "/narration/review")
    data = {"csrf_token": token, f"r{recording_id}-publish": "1"}
    data.update({f"r{recording_id}-{key}": value for key, value in fields.items()})
    return client.post(f"/narration/review/{recording_id}", data=data)


def reject(client, recording_id: int, reason: str = "noise", note: str = ""):
    token = csrf_from(client, "/narration/review")
    return client.post(f"/narration/review/{recording_id}", data={
        "csrf_token": token, f"r{recording_id}-reject": "1", f"r{recording_id}-reason": reason,
        f"r{recording_id}-note": note})


# --- uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["webm", "ogg"])
def test_a_recording_is_kept_pending_by_its_hash(team, sounds, folder, world, kind):
    data = sounds[kind]
    response = upload(team["narrator"], data, content_type=f"audio/{kind}")
    assert response.status_code == 200, response.get_json()
    recording = db.session.get(Recording, response.get_json()["id"])
    sha = hashlib.sha256(data).hexdigest()
    assert (recording.status, recording.sha256, recording.container) == (PENDING, sha, kind)
    assert recording.narrator_id == world["ambassador"].id and recording.option is None
    assert recording.language == LANGUAGE and 1000 <= recording.milliseconds <= 1300
    _course, lesson = lesson_of()
    assert recording.text_sha == step_items(lesson.texts[LANGUAGE], 1)[0].text_sha
    assert stored_files(folder) == [folder / sha[:2] / f"{sha}.{kind}"]
    assert (folder / sha[:2] / f"{sha}.{kind}").read_bytes() == data
    assert db.session.scalar(select(AuditEntry).filter_by(
        action="narration.recorded", object_id=recording.id)) is not None


def test_a_quiz_option_can_be_recorded(team, sounds):
    response = upload(team["narrator"], sounds["webm"], number=quiz_step(), option="1")
    assert response.status_code == 200
    assert db.session.get(Recording, response.get_json()["id"]).option == 1


@pytest.mark.parametrize("case", ["type", "not-audio", "empty", "too-big", "too-long",
                                  "truncated", "bad-option", "text-option"])
def test_bad_uploads_are_refused_with_a_reason_and_nothing_is_kept(
        app, team, sounds, folder, case):
    data, content_type, option = sounds["webm"], "audio/webm", ""
    if case == "type":
        content_type = "text/plain"
    elif case == "not-audio":
        data = b"\x1a\x45\xdf\xa3" + b"<html>not a recording</html>" * 20
    elif case == "empty":
        data = b""
    elif case == "too-big":
        app.config["LMS_NARRATION_MAX_BYTES"] = len(data) - 1
    elif case == "too-long":
        app.config["LMS_NARRATION_MAX_SECONDS"] = 2
        data = sounds["long"]
    elif case == "truncated":
        data = data[: len(data) // 2]
    elif case == "bad-option":
        option = "1"  # the first step is a card: it has no answers
    elif case == "text-option":
        option = "one"
    response = upload(team["narrator"], data, option=option, content_type=content_type)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error and "Record" not in error  # in the narrator's language, Vietnamese
    assert count() == 0 and stored_files(folder) == []


def test_the_refusals_are_in_vietnamese(app, team, sounds):
    app.config["LMS_NARRATION_MAX_SECONDS"] = 2
    assert "quá dài" in upload(team["narrator"], sounds["long"]).get_json()["error"]
    assert "không phải" in upload(team["narrator"], b"OggS" + b"\0" * 40).get_json()["error"]


@pytest.mark.parametrize("where", [{"number": 99}, {"lesson_slug": "no-such-lesson"},
                                   {"language": "xx"}, {"language": "hmn"}])
def test_an_unknown_or_forbidden_item_is_404_and_nothing_is_kept(team, sounds, folder, where):
    response = upload(team["narrator"], sounds["webm"], **where)
    assert response.status_code == 404
    assert response.get_json()["error"]
    assert count() == 0 and stored_files(folder) == []


def test_an_upload_needs_the_csrf_token(team, sounds, folder):
    from io import BytesIO

    response = team["narrator"].post(step_path(), data={
        "audio": (BytesIO(sounds["webm"]), "r.webm", "audio/webm"), "option": ""},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert count() == 0 and stored_files(folder) == []


def test_the_same_sound_twice_is_one_file(team, sounds, folder):
    assert upload(team["narrator"], sounds["webm"]).status_code == 200
    assert upload(team["narrator"], sounds["webm"], number=2).status_code == 200
    assert count() == 2 and len(stored_files(folder)) == 1


# --- who may do what --------------------------------------------------------------------------


def test_staff_without_a_grant_and_learners_never_reach_narration(app, signed_in, world, folder):
    for client in (signed_in("ambassador"), signed_in("mine"), signed_in("far_official")):
        for path in ("/narration", step_path(), "/narration/review"):
            assert client.get(path).status_code == 404, path
    anonymous = app.test_client()
    assert anonymous.get("/narration").status_code == 302  # to sign-in


def test_a_narrator_sees_only_their_languages(team):
    narrator = team["narrator"]
    assert narrator.get(step_path()).status_code == 200
    assert narrator.get(step_path(language="hmn")).status_code == 404
    home = narrator.get("/narration").get_data(as_text=True)
    assert "ꪼꪕꪒꪾ" in home
    assert narrator.get("/narration/review").status_code == 404  # narrates, does not review
    assert 'href="/narration"' in narrator.get("/ambassador/").get_data(as_text=True)


def test_the_recorder_says_it_needs_javascript_and_may_play_back(team):
    response = team["narrator"].get(step_path())
    page = response.get_data(as_text=True)
    assert "<noscript>" in page and "JavaScript" in page
    assert "media-src 'self' blob:" in response.headers["Content-Security-Policy"]
    assert "<script>" not in page  # the recorder is a static file
    assert "js/narration.js" in page


# --- review -----------------------------------------------------------------------------------


def test_a_reviewer_publishes_and_it_is_audited(team, sounds, world):
    recording_id = upload(team["narrator"], sounds["webm"]).get_json()["id"]
    page = team["reviewer"].get("/narration/review").get_data(as_text=True)
    assert f"/narration/recordings/{db.session.get(Recording, recording_id).filename}" in page
    assert publish(team["reviewer"], recording_id).status_code == 302
    db.session.commit()
    recording = db.session.get(Recording, recording_id)
    assert recording.status == PUBLISHED and recording.reviewer_id == world["official"].id
    assert recording.reviewed_at is not None
    entry = db.session.scalar(select(AuditEntry).filter_by(action="narration.published",
                                                           object_id=recording_id))
    assert entry.account_id == world["official"].id
    assert entry.changes["status"] == [PENDING, PUBLISHED]
    # Reviewed once: a second decision is refused and changes nothing.
    assert reject(team["reviewer"], recording_id).status_code == 400
    db.session.commit()
    assert db.session.get(Recording, recording_id).status == PUBLISHED


def test_a_reviewer_sends_back_with_a_reason_the_narrator_reads(team, sounds):
    recording_id = upload(team["narrator"], sounds["webm"]).get_json()["id"]
    assert reject(team["reviewer"], recording_id, "noise", "Có tiếng gà").status_code == 302
    db.session.commit()
    recording = db.session.get(Recording, recording_id)
    assert (recording.status, recording.reason, recording.note) == (
        REJECTED, "noise", "Có tiếng gà")
    assert db.session.scalar(select(AuditEntry).filter_by(
        action="narration.rejected", object_id=recording_id)).changes["reason"] == "noise"
    page = team["narrator"].get(step_path()).get_data(as_text=True)
    assert "Có tiếng gà" in page and "đã gửi lại" in page
    assert "Tiếng ồn xung quanh quá to." in page


@pytest.mark.parametrize("fields", [{"reason": ""}, {"reason": "because"},
                                    {"reason": "other", "note": "x" * 501}])
def test_a_rejection_needs_a_known_reason_and_a_short_note(team, sounds, fields):
    recording_id = upload(team["narrator"], sounds["webm"]).get_json()["id"]
    response = reject(team["reviewer"], recording_id, **fields)
    assert response.status_code == 400
    db.session.commit()
    assert db.session.get(Recording, recording_id).status == PENDING
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "narration.rejected")) == 0


def test_reviewers_only_review_their_language_and_never_their_own(app, team, sounds, world):
    recording_id = upload(team["narrator"], sounds["webm"]).get_json()["id"]
    assert publish(team["other_reviewer"], recording_id).status_code == 404  # reviews hmn
    assert publish(team["narrator"], recording_id).status_code == 404  # may not review
    # The reviewer's own recording waits for another reviewer.
    own = upload(team["reviewer"], sounds["webm"], number=2).get_json()["id"]
    assert publish(team["reviewer"], own).status_code == 400
    db.session.commit()
    assert {r.status for r in db.session.scalars(select(Recording))} == {PENDING}


# --- what is heard ----------------------------------------------------------------------------


def published_recording(team, sounds, number=1, option=""):
    recording_id = upload(team["narrator"], sounds["webm"], number=number,
                          option=option).get_json()["id"]
    assert publish(team["reviewer"], recording_id).status_code == 302
    db.session.commit()
    return db.session.get(Recording, recording_id)


def learner_step(signed_in, number: int) -> str:
    course, lesson = lesson_of()
    client = signed_in("mine")
    page = client.get(f"/learn/{course.slug}/{lesson.slug}/{number}?lang={LANGUAGE}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_listen_plays_the_published_recording_of_the_step_and_option(team, sounds, signed_in):
    step = published_recording(team, sounds)
    option = published_recording(team, sounds, number=quiz_step(), option="0")
    assert f'src="/narration/recordings/{step.filename}"' in learner_step(signed_in, 1)
    quiz = learner_step(signed_in, quiz_step())
    assert f'src="/narration/recordings/{option.filename}"' in quiz


def test_learners_never_hear_pending_rejected_or_outdated_recordings(team, sounds, signed_in,
                                                                     app):
    pending = db.session.get(Recording, upload(team["narrator"], sounds["long"]).get_json()["id"])
    rejected_id = upload(team["narrator"], sounds["ogg"], number=2).get_json()["id"]
    reject(team["reviewer"], rejected_id)
    outdated = published_recording(team, sounds, number=3)
    outdated.text_sha = "0" * 64  # recorded before the text changed
    db.session.commit()
    for number in (1, 2, 3):
        assert "/narration/recordings/" not in learner_step(signed_in, number)
    learner = signed_in("mine")
    rejected = db.session.get(Recording, rejected_id)
    for recording in (pending, rejected):
        url = f"/narration/recordings/{recording.filename}"
        assert learner.get(url).status_code == 404
        assert app.test_client().get(url).status_code == 404
        assert team["narrator"].get(url).status_code == 200  # narrators hear their language
        assert team["other_reviewer"].get(url).status_code == 404  # hmn only


def test_a_published_recording_is_long_cached_and_answers_ranges(app, team, sounds):
    recording = published_recording(team, sounds)
    anonymous = app.test_client()
    url = f"/narration/recordings/{recording.filename}"
    whole = anonymous.get(url)
    assert whole.status_code == 200 and whole.data == sounds["webm"]
    assert whole.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert whole.headers["Content-Type"] == "audio/webm"
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = anonymous.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(sounds['webm'])}"
    assert part.data == sounds["webm"][100:200]
    assert anonymous.get(url, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    for bad in ("nothing.webm", recording.sha256 + ".mp3", "../" + recording.filename):
        assert anonymous.get(f"/narration/recordings/{bad}").status_code == 404


def test_save_for_offline_keeps_the_published_recordings_of_the_language(team, sounds,
                                                                          signed_in):
    published = published_recording(team, sounds)
    pending = db.session.get(Recording, upload(team["narrator"], sounds["ogg"],
                                               number=2).get_json()["id"])
    course, _lesson = lesson_of()
    client = signed_in("mine")
    listed = client.get(f"/api/v1/courses/{course.slug}/offline?lang={LANGUAGE}").get_json()
    assert f"/narration/recordings/{published.filename}" in listed["urls"]
    assert f"/narration/recordings/{pending.filename}" not in listed["urls"]
    in_vietnamese = client.get(f"/api/v1/courses/{course.slug}/offline?lang=vi").get_json()
    assert not any("/narration/" in url for url in in_vietnamese["urls"])
    assert listed["bytes"] >= in_vietnamese["bytes"] + published.bytes - 4096


def test_the_coverage_table_counts_recordings_per_language(team, sounds, signed_in, runner):
    published_recording(team, sounds)
    published_recording(team, sounds, number=2)
    upload(team["narrator"], sounds["ogg"], number=3)
    page = signed_in("admin").get("/admin/translations").get_data(as_text=True)
    assert "Bản ghi âm: 2 đã đăng, 1 đang chờ duyệt." in page
    result = runner.invoke(args=["translations", "coverage"])
    assert result.exit_code == 0
    blt = next(line for line in result.output.splitlines() if line.startswith("blt"))
    assert "2 published, 1 waiting" in blt or "2 đã đăng, 1 đang chờ" in blt


# --- people's data ----------------------------------------------------------------------------


def test_erasing_a_narrator_removes_their_voice(team, sounds, folder, world):
    from lms.admin import people_data

    published_recording(team, sounds)
    person = world["ambassador"].person
    exported = people_data.export(person)["narration_recording"]
    assert len(exported) == 1 and exported[0]["status"] == PUBLISHED
    people_data.erase(person)
    assert stored_files(folder) != []  # nothing is deleted before the commit
    db.session.commit()
    assert count() == 0 and stored_files(folder) == []
