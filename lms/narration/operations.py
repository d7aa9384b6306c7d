"""Narration's rules in one place: who may record and review which language, what can be
recorded, keeping an upload, publishing and rejecting, and which recordings a page plays.
Shared by the narration pages, the lesson player, the offline list and the admin's
coverage table."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .. import audit
from ..accounts.models import STAFF_ROLES, Account
from ..content.model import Course, Lesson, LessonText
from ..extensions import db
from ..models_common import nfc, utcnow
from ..translating.models import LanguageGrant
from .audio import NotAudio, sniff
from .models import PENDING, PUBLISHED, REJECTED, Recording

# Why a reviewer sends a recording back; the narrator reads the reason in their language.
REJECT_REASONS = {
    "unclear": _l("Hard to hear: speak closer to the phone."),
    "noise": _l("Too much noise behind the voice."),
    "words": _l("The words are not those of the text."),
    "language": _l("Not spoken in this language."),
    "cut": _l("The start or the end is cut off."),
    "other": _l("Another reason: read the reviewer's note."),
}
NOTE_LIMIT = 500
ACCEPTED_TYPES = ("audio/webm", "audio/ogg", "video/webm", "application/octet-stream")


class NarrationError(ValueError):
    """A refusal the narrator or reviewer reads as it is (already translated)."""


# --- who may do what -----------------------------------------------------------------------


def grants(account: Account) -> dict[str, bool]:
    """The languages the account may narrate, each with whether it may also review."""
    if not account.is_authenticated or account.role not in STAFF_ROLES or not account.active:
        return {}
    rows = db.session.scalars(select(LanguageGrant).where(
        LanguageGrant.account_id == account.id))
    return {row.language: row.may_review for row in rows}


def may_narrate(account: Account, language: str) -> bool:
    return language in grants(account)


def may_review(account: Account, language: str) -> bool:
    return grants(account).get(language, False)


# --- what can be recorded -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One thing a narrator reads aloud: a step's text, or one quiz option."""

    step: int
    option: int | None
    text: str

    @property
    def text_sha(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def step_items(text: LessonText, number: int) -> list[Item]:
    step = text.steps[number - 1]
    items = [Item(number, None, step.text)]
    if step.question is not None:
        items += [Item(number, index, option.text)
                  for index, option in enumerate(step.question.options)]
    return items


def lesson_items(text: LessonText) -> list[Item]:
    return [item for number in range(1, len(text.steps) + 1)
            for item in step_items(text, number)]


# --- keeping an upload ----------------------------------------------------------------------


def storage_path(sha256: str, container: str) -> Path:
    return Path(current_app.config["LMS_NARRATION_DIR"]) / sha256[:2] / f"{sha256}.{container}"


def _write_once(path: Path, data: bytes) -> bool:
    """Write the file atomically unless it is there already; True if it is new."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def check_audio(data: bytes, content_type: str | None):
    """The sniffed recording, or NarrationError with the reason in the narrator's words."""
    config = current_app.config
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ACCEPTED_TYPES:
        raise NarrationError(_("Send a recording made on this page (Opus sound in WebM or "
                               "Ogg)."))
    if not data:
        raise NarrationError(_("The recording is empty. Record again."))
    if len(data) > config["LMS_NARRATION_MAX_BYTES"]:
        raise NarrationError(_("The recording is too large: at most %(size)s KB.",
                               size=config["LMS_NARRATION_MAX_BYTES"] // 1024))
    try:
        sniffed = sniff(data)
    except NotAudio:
        raise NarrationError(_("This file is not a recording this site can play (Opus sound "
                               "in WebM or Ogg).")) from None
    if sniffed.milliseconds > config["LMS_NARRATION_MAX_SECONDS"] * 1000:
        raise NarrationError(_("The recording is too long: at most %(seconds)s seconds.",
                               seconds=config["LMS_NARRATION_MAX_SECONDS"]))
    if sniffed.milliseconds < 300:
        raise NarrationError(_("The recording is too short. Record again."))
    return sniffed


def keep_recording(narrator: Account, course: Course, lesson: Lesson, language: str,
                   item: Item, data: bytes, content_type: str | None) -> Recording:
    """Check and keep an upload as a pending recording (the caller commits). Nothing is
    written, neither file nor row, when the upload is refused."""
    if not may_narrate(narrator, language):
        raise NarrationError(_("You may not record in this language."))
    sniffed = check_audio(data, content_type)
    sha = hashlib.sha256(data).hexdigest()
    path = storage_path(sha, sniffed.container)
    new_file = _write_once(path, data)
    try:
        recording = Recording(course=course.slug, lesson=lesson.slug, step=item.step,
                              option=item.option, language=language, text_sha=item.text_sha,
                              sha256=sha, container=sniffed.container, bytes=len(data),
                              milliseconds=sniffed.milliseconds, status=PENDING,
                              narrator_id=narrator.id)
        db.session.add(recording)
        db.session.flush()
        audit.record("narration.recorded", "recording", recording.id, {
            "course": course.slug, "lesson": lesson.slug, "step": item.step,
            "option": item.option, "language": language, "sha256": sha})
    except BaseException:
        if new_file:
            path.unlink(missing_ok=True)
        raise
    return recording


def forget_recordings(account_id: int) -> None:
    """Remove an account's recordings (the caller commits); their files, where no other
    row uses them, are deleted once the removal is committed, never before."""
    rows = db.session.scalars(select(Recording).where(
        Recording.narrator_id == account_id)).all()
    hashes = {(row.sha256, row.container) for row in rows}
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    still_used = {(sha, container) for sha, container in db.session.execute(
        select(Recording.sha256, Recording.container).where(
            Recording.sha256.in_([sha for sha, _container in hashes])))}
    doomed = db.session.info.setdefault(_UNLINK_AFTER_COMMIT, [])
    doomed += [storage_path(sha, container) for sha, container in hashes - still_used]


_UNLINK_AFTER_COMMIT = "narration_unlink_after_commit"


@event.listens_for(Session, "after_commit")
def _unlink_files(session: Session) -> None:
    for path in session.info.pop(_UNLINK_AFTER_COMMIT, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_UNLINK_AFTER_COMMIT, None)


# --- review ----------------------------------------------------------------------------------


def reviewable(reviewer: Account):
    """The pending recordings the account may review, oldest first."""
    languages = [code for code, review in grants(reviewer).items() if review]
    return db.session.scalars(select(Recording).where(
        Recording.status == PENDING, Recording.language.in_(languages))
        .order_by(Recording.created_at, Recording.id)).all()


def decide(reviewer: Account, recording: Recording, publish: bool, reason: str | None,
           note: str | None) -> None:
    """Publish or reject a pending recording (the caller commits); audited."""
    if not may_review(reviewer, recording.language):
        raise NarrationError(_("You may not review recordings in this language."))
    if recording.narrator_id == reviewer.id:
        raise NarrationError(_("Someone else must review your own recording."))
    if recording.status != PENDING:
        raise NarrationError(_("This recording has already been reviewed."))
    note = nfc(note or "") or None
    if note and len(note) > NOTE_LIMIT:
        raise NarrationError(_("The note can be at most %(count)s characters.",
                               count=NOTE_LIMIT))
    if not publish and reason not in REJECT_REASONS:
        raise NarrationError(_("Choose why the recording is sent back."))
    recording.status = PUBLISHED if publish else REJECTED
    recording.reason = None if publish else reason
    recording.note = note
    recording.reviewer_id = reviewer.id
    recording.reviewed_at = utcnow()
    audit.record("narration.published" if publish else "narration.rejected", "recording",
                 recording.id, {"status": [PENDING, recording.status],
                                "reason": recording.reason, "language": recording.language,
                                "course": recording.course, "lesson": recording.lesson,
                                "step": recording.step, "option": recording.option})


# --- what is played -------------------------------------------------------------------------


def recording_url(recording: Recording) -> str:
    return url_for("narration.recording_file", name=recording.filename)


def published_recordings(course: str, lesson: str, text: LessonText) -> dict:
    """{(step, option): Recording} — the newest published recording of each item of the
    lesson in the text's language, only where it reads the text as it is now."""
    current = {(item.step, item.option): item.text_sha for item in lesson_items(text)}
    found = {}
    for row in db.session.scalars(select(Recording).where(
            Recording.course == course, Recording.lesson == lesson,
            Recording.language == text.language, Recording.status == PUBLISHED)
            .order_by(Recording.reviewed_at, Recording.id)):
        key = (row.step, row.option)
        if current.get(key) == row.text_sha:
            found[key] = row
    return found


def published_counts() -> dict[str, dict[str, int]]:
    """{language: {course: published recordings}}, for the coverage table."""
    counts: dict[str, dict[str, int]] = {}
    for language, course, count in db.session.execute(
            select(Recording.language, Recording.course, func.count())
            .where(Recording.status == PUBLISHED)
            .group_by(Recording.language, Recording.course)):
        counts.setdefault(language, {})[course] = count
    return counts


def pending_counts() -> dict[str, int]:
    return dict(db.session.execute(
        select(Recording.language, func.count()).where(Recording.status == PENDING)
        .group_by(Recording.language)).all())


def file_for(name: str) -> tuple[Recording, Path] | None:
    """The recording a file name (`<sha256>.<container>`) stands for, published first."""
    sha, _dot, container = name.partition(".")
    if len(sha) != 64 or container not in ("webm", "ogg") or not all(
            c in "0123456789abcdef" for c in sha):
        return None
    rows = db.session.scalars(select(Recording).where(
        Recording.sha256 == sha, Recording.container == container)).all()
    if not rows:
        return None
    rows.sort(key=lambda row: row.status != PUBLISHED)
    return rows[0], storage_path(sha, container)


def may_hear(account: Account, recording: Recording) -> bool:
    """Anyone hears a published recording; a pending or rejected one only its language's
    narrators and reviewers."""
    return recording.status == PUBLISHED or may_narrate(account, recording.language)


STATUS_LABELS = {PENDING: _l("waiting for review"), PUBLISHED: _l("published"),
                 REJECTED: _l("sent back")}
