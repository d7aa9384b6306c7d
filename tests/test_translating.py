"""Community translation: grants, the workbench (draft → reviewed), what learners see, and
export → import between saved translations and the files."""

import shutil
from pathlib import Path

import pytest

from lms.accounts.models import Account, Role
from lms.audit import AuditEntry
from lms.extensions import db
from lms.translating.models import LanguageGrant, SavedTranslation
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in

FIXTURES = Path(__file__).parent / "course_fixtures"
PIECE = "/translate/blt/sample/first"
DRAFT_NOTE = '<p class="note" role="note">'
ENGLISH = {"LMS_LANGUAGE": "en"}  # the commands speak the operator's language


@pytest.fixture
def files(app, tmp_path):
    """Copies of the sample course and of the catalogs: export writes into them."""
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURES, courses)
    translations = tmp_path / "translations"
    shutil.copytree(app.config["LMS_TRANSLATIONS_DIR"], translations)
    app.config["LMS_COURSES_DIR"] = str(courses)
    app.config["LMS_TRANSLATIONS_DIR"] = str(translations)
    app.extensions.pop("lms_catalog", None)
    return {"courses": courses, "translations": translations}


@pytest.fixture
def translators(world, make_staff, files):
    """An ambassador translating Tai Dam, an official reviewing it, one for H'Mong only."""
    def give(account, language, may_review=False):
        db.session.add(LanguageGrant(account_id=account.id, language=language,
                                     may_review=may_review, granted_by_id=world["admin"].id))
        db.session.commit()

    give(world["ambassador"], "blt")
    give(world["official"], "blt", may_review=True)
    hmong = make_staff(Role.AMBASSADOR, "0911000020", world["home"])
    give(hmong, "hmn")
    second = make_staff(Role.OFFICIAL, "0911000021", world["home"])
    give(second, "blt", may_review=True)
    return {"hmong": hmong, "second_reviewer": second}


def _client(app, account):
    client = app.test_client()
    assert sign_in(client, account.phone, TEST_PASSWORD).status_code == 302
    return client


def _save(client, part, action="draft", **fields):
    data = {"csrf_token": csrf_from(client, f"{PIECE}/{part}"), "action": action, **fields}
    return client.post(f"{PIECE}/{part}", data=data)


CARD = {"title": "[blt] card one", "body": "[blt] **bold** text", "alt": "[blt] a screen"}


def _rows(**where):
    return db.session.scalars(db.select(SavedTranslation).filter_by(**where)
                              .order_by(SavedTranslation.id)).all()


# --- grants -----------------------------------------------------------------------------


def test_the_admin_grants_and_takes_back_a_language(app, signed_in, world, files):
    client = signed_in("admin")
    token = csrf_from(client, "/admin/translators")
    response = client.post("/admin/translators/grant", data={
        "csrf_token": token, "account": world["ambassador"].id, "language": "blt",
        "may_review": "y"})
    assert response.status_code == 302
    grant = db.session.scalar(db.select(LanguageGrant))
    assert (grant.account_id, grant.language, grant.may_review) == (
        world["ambassador"].id, "blt", True)
    assert grant.granted_by_id == world["admin"].id
    response = client.post(f"/admin/translators/{grant.id}/revoke",
                           data={"csrf_token": csrf_from(client, "/admin/translators")})
    assert response.status_code == 302
    assert db.session.scalar(db.select(LanguageGrant)) is None
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.action.like("language_grant.%"))).all()
    assert sorted(actions) == ["language_grant.granted", "language_grant.revoked"]


@pytest.mark.parametrize("data", [
    {"language": "vi"}, {"language": "xx"}, {"account": "999999"}, {"account": "abc"},
    {"language": ""},
])
def test_a_bad_grant_writes_nothing_and_says_why(signed_in, world, files, data):
    client = signed_in("admin")
    form = {"csrf_token": csrf_from(client, "/admin/translators"),
            "account": world["ambassador"].id, "language": "blt", **data}
    response = client.post("/admin/translators/grant", data=form)
    assert response.status_code == 400
    assert 'class="flash error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(LanguageGrant)) is None


def test_a_learner_cannot_be_given_a_language(signed_in, world, files):
    client = signed_in("admin")
    account = db.session.scalar(db.select(Account).filter_by(household_id=world["mine"].id))
    response = client.post("/admin/translators/grant", data={
        "csrf_token": csrf_from(client, "/admin/translators"), "account": account.id,
        "language": "blt"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(LanguageGrant)) is None


@pytest.mark.parametrize("who", ["official", "ambassador", "mine"])
def test_only_the_admin_reaches_the_grants_page(signed_in, files, who):
    client = signed_in(who)
    assert client.get("/admin/translators").status_code == 404
    assert client.post("/admin/translators/grant", data={}).status_code in (400, 404)


def test_a_grant_without_csrf_is_refused(signed_in, world, files):
    response = signed_in("admin").post("/admin/translators/grant", data={
        "account": world["ambassador"].id, "language": "blt"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(LanguageGrant)) is None


# --- scope ------------------------------------------------------------------------------


def test_a_translator_works_only_in_granted_languages(app, signed_in, world, translators):
    client = signed_in("ambassador")
    assert client.get(f"{PIECE}/1").status_code == 200
    assert client.get("/translate/hmn/sample/first/1").status_code == 404
    assert client.get("/translate/hmn/interface/1").status_code == 404
    assert client.post("/translate/hmn/sample/first/1", data=CARD).status_code in (400, 404)
    hmong = _client(app, translators["hmong"])
    assert hmong.get(f"{PIECE}/1").status_code == 404
    assert hmong.get("/translate/hmn/sample/first/1").status_code == 200
    assert _rows() == []


def test_learners_and_staff_without_a_grant_cannot_translate(signed_in, world, files):
    assert signed_in("mine").get(f"{PIECE}/1").status_code == 404
    assert signed_in("far_official").get(f"{PIECE}/1").status_code == 404
    page = signed_in("far_official").get("/translate").get_data(as_text=True)
    assert "/translate/blt" not in page


@pytest.mark.parametrize("path", [f"{PIECE}/99", f"{PIECE}/0", f"{PIECE}/x",
                                  "/translate/blt/sample/nope/1", "/translate/blt/nope/first/1",
                                  "/translate/blt/interface/0", "/translate/blt/interface/99999",
                                  "/translate/vi/sample/first/1"])
def test_unknown_pieces_are_not_found(signed_in, translators, path):
    assert signed_in("official").get(path).status_code == 404


# --- draft → reviewed, and what learners see ---------------------------------------------


def _learner_page(signed_in):
    client = signed_in("mine")
    return client.get("/learn/sample/first/1?lang=blt").get_data(as_text=True)


def test_draft_then_reviewed_and_what_learners_see(app, signed_in, world, translators):
    before = _learner_page(signed_in)
    assert "[blt]" not in before and DRAFT_NOTE not in before  # in Vietnamese, and says so

    translator = signed_in("ambassador")
    response = _save(translator, 1, **CARD)
    assert response.status_code == 302
    (draft,) = _rows()
    assert (draft.status, draft.author_id, draft.in_files) == ("draft", world["ambassador"].id,
                                                               False)
    page = _learner_page(signed_in)
    assert "[blt] card one" in page and "<strong>bold</strong>" in page
    assert DRAFT_NOTE in page

    # A translator cannot mark reviewed; a reviewer can, with a correction.
    assert _save(translator, 1, action="review", **CARD).status_code == 400
    reviewer = signed_in("official")
    assert "[blt] card one" in reviewer.get(f"{PIECE}/1").get_data(as_text=True)
    corrected = {**CARD, "body": "[blt] corrected"}
    assert _save(reviewer, 1, action="review", **corrected).status_code == 302
    rows = _rows()
    assert [row.status for row in rows] == ["draft", "reviewed"]  # the history is kept
    assert rows[1].author_id == world["official"].id and rows[1].text["body"] == "[blt] corrected"
    history = reviewer.get(f"{PIECE}/1").get_data(as_text=True)
    assert "History (2" in history or "2" in history

    # Every part reviewed: the lesson shows without the draft notice.
    _save(reviewer, "title", action="review", title="[blt] lesson")
    _save(reviewer, 2, action="review", title="[blt] practice", prompt="[blt] one?",
          **{"option-1-text": "[blt] a", "option-1-feedback": "[blt] yes",
             "option-2-text": "[blt] b", "option-2-feedback": "[blt] no"})
    _save(reviewer, 3, action="review", title="[blt] quiz", prompt="[blt] odd",
          **{f"option-{n}-{field}": f"[blt] {n}{field}" for n in (1, 2, 3)
             for field in ("text", "feedback")})
    assert _rows(status="reviewed").__len__() == 4
    page = _learner_page(signed_in)
    assert "[blt] corrected" in page and DRAFT_NOTE not in page
    quiz = signed_in("mine").get("/learn/sample/first/3?lang=blt").get_data(as_text=True)
    assert "[blt] odd" in quiz and "[blt] 1text" in quiz
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.action.like("translation.%"))).all()
    assert actions.count("translation.reviewed") == 4 and "translation.saved" in actions


def test_a_reviewer_does_not_pass_their_own_draft(signed_in, translators, app):
    reviewer = signed_in("official")
    assert _save(reviewer, 1, **CARD).status_code == 302
    response = _save(reviewer, 1, action="review", **CARD)
    assert response.status_code == 400 and 'class="flash error"' in response.get_data(
        as_text=True)
    other = _client(app, translators["second_reviewer"])
    assert _save(other, 1, action="review", **CARD).status_code == 302
    assert [row.status for row in _rows()] == ["draft", "reviewed"]


@pytest.mark.parametrize("fields", [
    {**CARD, "title": ""},
    {**CARD, "body": "   "},
    {**CARD, "alt": ""},
    {**CARD, "body": "<script>alert(1)</script>"},
    {**CARD, "body": "text\n## a new step"},
    {**CARD, "body": "text\n```quiz"},
    {**CARD, "body": "pay 50% now"},
    {**CARD, "title": "x" * 5000},
])
def test_bad_text_is_refused_with_a_reason_and_nothing_saved(signed_in, translators, fields):
    response = _save(signed_in("ambassador"), 1, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="flash error"' in page
    assert _rows() == []


def test_a_question_needs_every_answer(signed_in, translators):
    response = _save(signed_in("ambassador"), 2, title="[blt] t", prompt="[blt] p",
                     **{"option-1-text": "[blt] a", "option-1-feedback": "[blt] f"})
    assert response.status_code == 400
    assert _rows() == []


# --- interface strings --------------------------------------------------------------------


def _string_number(client, msgid):
    from lms.translating.interface import interface_strings

    return next(s.number for s in interface_strings() if s.msgid == msgid)


def test_a_saved_interface_string_shows_at_once(app, signed_in, translators):
    msgid = "Next"
    number = _string_number(None, msgid)
    client = signed_in("ambassador")
    path = f"/translate/blt/interface/{number}"
    assert "Next" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_from(client, path),
                                       "text": "[blt] next", "action": "draft"})
    assert response.status_code == 302
    page = signed_in("mine").get("/learn/sample/first/1?lang=blt").get_data(as_text=True)
    assert "[blt] next" in page
    vietnamese = signed_in("mine").get("/learn/sample/first/1?lang=vi").get_data(as_text=True)
    assert "[blt] next" not in vietnamese


@pytest.mark.parametrize("msgid, text", [
    ("Step %(number)s of %(total)s", "[blt] %(count)s"),
    ("Step %(number)s of %(total)s", "[blt] 50% %(number)s"),
    ("Next", ""),
    ("Next", "<b>[blt]</b>"),
])
def test_a_bad_interface_string_is_refused(signed_in, translators, msgid, text):
    client = signed_in("ambassador")
    path = f"/translate/blt/interface/{_string_number(client, msgid)}"
    response = client.post(path, data={"csrf_token": csrf_from(client, path), "text": text})
    assert response.status_code == 400
    assert 'class="flash error"' in response.get_data(as_text=True)
    assert _rows() == []


# --- export and import --------------------------------------------------------------------


def _translate_all(signed_in, reviewed_steps=(1,)):
    translator = signed_in("ambassador")
    reviewer = signed_in("official")
    _save(translator, "title", title="[blt] lesson")
    _save(translator, 1, **CARD)
    _save(translator, 2, title="[blt] practice", prompt="[blt] one?",
          **{"option-1-text": "[blt] a", "option-1-feedback": "[blt] yes",
             "option-2-text": "[blt] b", "option-2-feedback": "[blt] no"})
    for step in reviewed_steps:
        _save(reviewer, step, action="review", **CARD)


def test_export_writes_what_was_saved_and_import_reads_it_back(app, runner, signed_in,
                                                               translators, files):
    _translate_all(signed_in)
    client = signed_in("ambassador")
    path = f"/translate/blt/interface/{_string_number(client, 'Next')}"
    client.post(path, data={"csrf_token": csrf_from(client, path), "text": "[blt] next"})
    result = runner.invoke(args=["translations", "export", "--language", "blt"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    lesson = files["courses"] / "sample" / "blt" / "01-first.md"
    text = lesson.read_text("utf-8")
    assert "status: draft" in text and "reviewed_parts:\n- 1" in text
    assert "## [blt] card one" in text and "[blt] **bold** text" in text
    assert "![[blt] a screen](images/pic.svg)" in text and "prompt: '[blt] one?'" in text
    po = (files["translations"] / "blt" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert 'msgid "Next"\nmsgstr "[blt] next"' in po
    from lms.translating.pieces import current_rows

    assert all(row.in_files for row in current_rows("blt").values())

    # The files load as a course again, with the same text and marking.
    from lms.content.catalog import read_catalog

    found = read_catalog(files["courses"])
    assert found.problems == ()
    loaded = found.course("sample").lesson("first").texts["blt"]
    assert loaded.title == "[blt] lesson" and loaded.status == "draft"
    assert loaded.reviewed_parts == frozenset({1})
    assert loaded.steps[0].title == "[blt] card one"
    assert loaded.steps[2].title == "Kiểm tra"  # not translated: still the Vietnamese

    # Nothing changed: importing the files it wrote adds nothing.
    count = len(_rows())
    result = runner.invoke(args=["translations", "import", "--language", "blt"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    assert len(_rows()) == count and "0 conflicts" in result.output


def test_import_takes_a_changed_file_but_never_a_newer_browser_edit(app, runner, signed_in,
                                                                   translators, files):
    _translate_all(signed_in, reviewed_steps=())
    assert runner.invoke(args=["translations", "export"], env=ENGLISH).exit_code == 0
    lesson = files["courses"] / "sample" / "blt" / "01-first.md"
    # In the files, someone corrects the title and step 1; in the browser, a translator
    # edits step 1 again after the export.
    text = lesson.read_text("utf-8")
    lesson.write_text(text.replace("title: '[blt] lesson'", "title: '[blt] lesson in file'")
                      .replace("[blt] **bold** text", "[blt] file text"), "utf-8")
    _save(signed_in("ambassador"), 1, **{**CARD, "body": "[blt] browser text"})
    app.extensions.pop("lms_catalog", None)
    result = runner.invoke(args=["translations", "import"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    assert "Conflict" in result.output and "01-first.md [1]" in result.output
    assert "1 conflicts" in result.output
    current = {row.part: row for row in _rows()}  # the newest row of each part last
    assert current["title"].text["title"] == "[blt] lesson in file"
    assert current["title"].author_id is None and current["title"].in_files
    assert current["1"].text["body"] == "[blt] browser text"  # the browser's newer edit
    assert not current["1"].in_files


def test_import_reads_existing_translations_as_drafts(app, runner, files):
    lesson = files["courses"] / "sample" / "blt" / "01-first.md"
    lesson.parent.mkdir()
    source = (files["courses"] / "sample" / "vi" / "01-first.md").read_text("utf-8")
    lesson.write_text(source.replace("status: reviewed", "status: draft")
                      .replace("## Thẻ một", "## [blt] heading"), "utf-8")
    app.extensions.pop("lms_catalog", None)
    result = runner.invoke(args=["translations", "import", "--language", "blt"], env=ENGLISH)
    assert result.exit_code == 0, result.output
    rows = _rows(kind="lesson")
    assert [(row.part, row.status) for row in rows] == [("1", "draft")]
    assert rows[0].text["title"] == "[blt] heading"


def test_an_unknown_language_is_refused_by_the_commands(runner, files):
    result = runner.invoke(args=["translations", "export", "--language", "xx"], env=ENGLISH)
    assert result.exit_code == 2 and "xx" in result.output
    assert _rows() == []
