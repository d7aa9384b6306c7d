"""Course files: the shipped courses pass the checker; broken files give file:line errors;
nothing a course file says can put script on a page."""

import shutil
from pathlib import Path

import pytest

from lms.content.catalog import lesson_text, read_catalog
from lms.content.images import svg_size, webp_size
from lms.content.sanitize import render_markdown

FIXTURES = Path(__file__).parent / "course_fixtures"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def courses_dir(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(FIXTURES, target)
    return target


def edit(courses_dir: Path, file: str, old: str, new: str) -> None:
    path = courses_dir / "sample" / file
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_shipped_courses_pass_the_check(runner):
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "4 " in result.output


def test_sample_fixture_is_valid(app, courses_dir):
    with app.test_request_context("/"):
        found = read_catalog(courses_dir)
    assert found.problems == ()
    lesson = found.courses["sample"].lessons[0]
    assert [s.kind for s in lesson.texts["vi"].steps] == ["card", "practice", "quiz"]
    assert lesson.texts["vi"].steps[2].question.correct_indexes == (0, 2)


BROKEN = [
    ("course.yaml", "slug: sample", "slug: other", "sample/course.yaml:1: slug must equal"),
    ("course.yaml", "track: villager", "track: farmer", "sample/course.yaml:3: track must be"),
    ("course.yaml", "order: 1", "order: first", "sample/course.yaml:2: order must be"),
    ("course.yaml", "  en: Sample course", "  xx: Sample course",
     "sample/course.yaml:6: Unknown language xx"),
    ("course.yaml", "    skills: [sample-skill]", "    skills: [no-such-skill]",
     "sample/course.yaml:16: Lesson first names unknown skill no-such-skill"),
    ("course.yaml", "title:\n  vi: Khóa mẫu\n", "title:\n  vi: [unclosed\n",
     "sample/course.yaml:6: YAML"),
    ("vi/01-first.md", "status: reviewed", "status: done",
     "sample/vi/01-first.md:3: status must be reviewed or draft"),
    ("vi/01-first.md", "minutes: 3", "minutes: lots",
     "sample/vi/01-first.md:4: minutes must be"),
    ("vi/01-first.md", "![Một màn hình](images/pic.svg)", "![Một màn hình](images/missing.svg)",
     "sample/vi/01-first.md:11: Picture images/missing.svg does not exist"),
    ("vi/01-first.md", "![Một màn hình](images/pic.svg)", "![](images/pic.svg)",
     "sample/vi/01-first.md:11: The picture needs alt text"),
    ("vi/01-first.md", "Chữ **đậm**", "<script>alert(1)</script> Chữ **đậm**",
     "sample/vi/01-first.md:13: Raw HTML is not allowed"),
    ("vi/01-first.md", "    correct: true\n    feedback: Đúng.", "    feedback: Đúng.",
     "sample/vi/01-first.md:20: A single question has exactly one correct option, not 0"),
    ("vi/01-first.md", "  - text: Hai\n    feedback: Chưa đúng.", "  - text: Hai",
     "sample/vi/01-first.md:24: Every option needs a feedback"),
    ("vi/01-first.md", "kind: single", "kind: essay",
     "sample/vi/01-first.md:18: The question kind must be one of"),
    ("vi/01-first.md", "## Luyện tập\n", "## Luyện tập\n\nMột câu thừa.\n",
     "sample/vi/01-first.md:17: A question step holds only its question block"),
    ("vi/01-first.md", "```quiz", "```question",
     "sample/vi/01-first.md:1: The lesson needs a closing quiz"),
    ("vi/01-first.md", "---\n\n## Thẻ một", "---\nLời mở đầu\n## Thẻ một",
     "sample/vi/01-first.md:8: Text before the first step"),
    ("en/01-first.md", "  - text: \"3\"\n    correct: true", "  - text: \"3\"",
     "sample/en/01-first.md:1: This translation does not have the same steps"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BROKEN,
                         ids=[case[3].split(": ", 1)[1][:40] for case in BROKEN])
def test_broken_course_files_give_file_and_line(app, courses_dir, file, old, new, expected):
    edit(courses_dir, file, old, new)
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    messages = [str(p).replace("courses/", "", 1) for p in found.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert "sample" not in found.courses


def test_missing_english_lesson_is_an_error(app, courses_dir):
    (courses_dir / "sample/en/01-first.md").unlink()
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    assert any("Lesson file en/01-first.md is missing" in str(p) for p in found.problems)


def test_unsafe_svg_is_refused(app, courses_dir):
    (courses_dir / "sample/images/pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    assert any("contains script" in str(p) for p in found.problems)


def test_every_picture_has_its_size_from_the_course_files(app, courses_dir):
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    assert found.courses["sample"].image_sizes == {"pic.svg": (10, 10)}
    (courses_dir / "sample/images/pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>')
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    assert any("images/pic.svg has no size" in str(p) for p in found.problems)


@pytest.mark.parametrize(("text", "size"), [
    ('<svg viewBox="0 0 240 400">', (240, 400)),
    ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0,0,320.4,210'>", (320, 210)),
    ('<svg width="64px" height="32">', (64, 32)),
    ('<?xml version="1.0"?>\n<svg\n  viewBox="-5 -5 30 20" width="300">', (30, 20)),
    ('<svg viewBox="0 0 0 10">', None),
    ('<svg width="50%" height="20">', None),
    ("<html></html>", None),
])
def test_svg_size_comes_from_the_view_box(text, size):
    assert svg_size(text) == size


def test_webp_size_comes_from_its_header():
    lossy = (b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x9d\x01\x2a"
             + (320).to_bytes(2, "little") + (240).to_bytes(2, "little"))
    assert webp_size(lossy) == (320, 240)
    bits = (99) | (49 << 14)
    lossless = b"RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f" + bits.to_bytes(4, "little")
    assert webp_size(lossless + bytes(5)) == (100, 50)
    extended = (b"RIFF\x00\x00\x00\x00WEBPVP8X\x00\x00\x00\x00\x00\x00\x00\x00"
                + (639).to_bytes(3, "little") + (479).to_bytes(3, "little"))
    assert webp_size(extended) == (640, 480)
    assert webp_size(b"RIFF....WEBPJUNK" + bytes(20)) is None


def test_check_command_prints_problems_and_exits_1(app, runner, courses_dir, monkeypatch):
    edit(courses_dir, "vi/01-first.md", "status: reviewed", "status: done")
    app.config["LMS_COURSES_DIR"] = str(courses_dir)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 1
    assert "sample/vi/01-first.md:3: status phải là reviewed hoặc draft" in result.output


def test_load_refuses_to_write_anything_when_a_file_is_broken(app, runner, courses_dir):
    from lms.content.models import LessonIndex
    from lms.extensions import db

    edit(courses_dir, "vi/01-first.md", "minutes: 3", "minutes: 0")
    app.config["LMS_COURSES_DIR"] = str(courses_dir)
    assert runner.invoke(args=["courses", "load"]).exit_code == 1
    assert db.session.scalar(db.select(db.func.count(LessonIndex.id))) == 0


def test_load_records_every_lesson(app, runner):
    from lms.content.models import LessonIndex
    from lms.extensions import db

    assert runner.invoke(args=["courses", "load"]).exit_code == 0
    rows = db.session.scalars(db.select(LessonIndex)).all()
    assert len(rows) >= 19
    assert {row.course for row in rows} == {"public-services", "digital-payments",
                                            "online-safety", "ambassador-track"}


@pytest.mark.parametrize("markdown", [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    '<a href="https://x" onclick="alert(1)">x</a>',
    "<iframe src=https://evil></iframe>",
    "<style>body{display:none}</style>",
])
def test_sanitiser_never_lets_script_through(markdown):
    html = str(render_markdown(markdown)).lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "<iframe", "<img", "<style"):
        assert bad not in html


def test_scam_web_addresses_are_not_made_into_links():
    assert "<a" not in str(render_markdown("Trang giả: dichvucong-gov.com.vn"))


def test_missing_lesson_language_falls_back_to_vietnamese(app):
    from lms.content.catalog import catalog

    with app.test_request_context("/"):
        course = catalog().courses["public-services"]
    second = course.lessons[1]
    assert "hmn" not in second.texts
    text, fell_back = lesson_text(second, "hmn")
    assert fell_back and text.language == "vi"
    text, fell_back = lesson_text(course.lessons[0], "en")
    assert not fell_back and text.language == "en"
