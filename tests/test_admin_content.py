"""Courses and translation coverage in the admin's pages."""

import shutil
from pathlib import Path

import pytest

from lms.audit import AuditEntry
from lms.content.models import LessonIndex
from lms.extensions import db
from tests.conftest import csrf_from

FIXTURES = Path(__file__).parent / "course_fixtures"


@pytest.fixture
def courses_dir(app, tmp_path):
    folder = tmp_path / "courses"
    shutil.copytree(FIXTURES, folder)
    app.config["LMS_COURSES_DIR"] = str(folder)
    app.extensions.pop("lms_catalog", None)
    return folder


def _post(client, path):
    return client.post(path, data={"csrf_token": csrf_from(client, "/admin/content")})


@pytest.mark.parametrize("who", ["official", "ambassador", "mine"])
def test_only_the_admin_sees_content_and_translations(signed_in, courses_dir, who):
    client = signed_in(who)
    assert client.get("/admin/content").status_code == 404
    assert client.get("/admin/translations").status_code == 404
    assert client.post("/admin/content/load").status_code in (400, 404)


def test_the_page_lists_loaded_courses_with_their_versions(signed_in, courses_dir):
    page = signed_in("admin").get("/admin/content").get_data(as_text=True)
    assert "sample" in page and "<code>" in page


def test_a_passing_check_then_load_stores_the_lessons(signed_in, courses_dir):
    client = signed_in("admin")
    checked = _post(client, "/admin/content/check")
    assert checked.status_code == 200
    assert "/admin/content/load" in checked.get_data(as_text=True)
    assert _post(client, "/admin/content/load").status_code == 302
    assert db.session.scalar(db.select(LessonIndex).filter_by(course="sample")).active
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="courses.loaded"))


def test_a_failing_check_changes_nothing_and_says_file_and_line(signed_in, courses_dir):
    client = signed_in("admin")
    assert _post(client, "/admin/content/load").status_code == 302
    before = db.session.scalars(db.select(LessonIndex.content_version)).all()
    lesson = courses_dir / "sample" / "vi" / "01-first.md"
    lesson.write_text("---\ntitle: [unclosed\n---\n", "utf-8")
    checked = _post(client, "/admin/content/check")
    assert checked.status_code == 400
    page = checked.get_data(as_text=True)
    assert "01-first.md:" in page and "/admin/content/load" not in page
    assert _post(client, "/admin/content/load").status_code == 400
    assert db.session.scalars(db.select(LessonIndex.content_version)).all() == before


def test_load_without_csrf_is_refused(signed_in, courses_dir):
    assert signed_in("admin").post("/admin/content/load").status_code == 400
    assert db.session.scalar(db.select(db.func.count(LessonIndex.id))) == 0


def test_translation_coverage_per_language(signed_in, courses_dir):
    page = signed_in("admin").get("/admin/translations").get_data(as_text=True)
    for name in ("Tiếng Việt", "English"):
        assert name in page
    assert "Khóa mẫu" in page


def test_the_command_and_the_page_count_the_same(app, courses_dir, runner):
    from lms.content.catalog import read_catalog
    from lms.content.coverage import translation_coverage

    coverage = {c.code: c for c in translation_coverage(read_catalog(courses_dir))}
    result = runner.invoke(args=["translations", "coverage"])
    vi = coverage["vi"].courses[0]
    assert f"{vi.present}/{vi.lessons}" in result.output
