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
    shipped = sum(1 for folder in (ROOT / "courses").iterdir()
                  if (folder / "course.yaml").is_file())
    assert f"{shipped} " in result.output


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
     "sample/vi/01-first.md:6: minutes must be"),
    ("vi/01-first.md", "![Một màn hình](images/pic.svg)", "![Một màn hình](images/missing.svg)",
     "sample/vi/01-first.md:13: Picture images/missing.svg does not exist"),
    ("vi/01-first.md", "![Một màn hình](images/pic.svg)", "![](images/pic.svg)",
     "sample/vi/01-first.md:13: The picture needs alt text"),
    ("vi/01-first.md", "Chữ **đậm**", "<script>alert(1)</script> Chữ **đậm**",
     "sample/vi/01-first.md:15: Raw HTML is not allowed"),
    ("vi/01-first.md", "    correct: true\n    feedback: Đúng.", "    feedback: Đúng.",
     "sample/vi/01-first.md:22: A single question has exactly one correct option, not 0"),
    ("vi/01-first.md", "  - text: Hai\n    feedback: Chưa đúng.", "  - text: Hai",
     "sample/vi/01-first.md:26: Every option needs a feedback"),
    ("vi/01-first.md", "kind: single", "kind: essay",
     "sample/vi/01-first.md:20: The question kind must be one of"),
    ("vi/01-first.md", "## Luyện tập\n", "## Luyện tập\n\nMột câu thừa.\n",
     "sample/vi/01-first.md:19: A question step holds only its question block"),
    ("vi/01-first.md", "```quiz", "```question",
     "sample/vi/01-first.md:1: The lesson needs a closing quiz"),
    ("vi/01-first.md", "---\n\n## Thẻ một", "---\nLời mở đầu\n## Thẻ một",
     "sample/vi/01-first.md:10: Text before the first step"),
    ("en/01-first.md", "  - text: \"3\"\n    correct: true", "  - text: \"3\"",
     "sample/en/01-first.md:1: This translation does not have the same steps"),
    ("vi/01-first.md", "reviewed_on: 2026-11-30\n", "",
     "sample/vi/01-first.md:3: A reviewed lesson needs reviewed_on"),
    ("vi/01-first.md", "reviewed_on: 2026-11-30", "reviewed_on: soon",
     "sample/vi/01-first.md:4: A reviewed lesson needs reviewed_on"),
    ("vi/01-first.md", "reviewed_on: 2026-11-30", "reviewed_on: 2999-01-01",
     "sample/vi/01-first.md:4: reviewed_on is in the future"),
    ("en/01-first.md", "reviewed_by: Checked against CURRICULUM.md §1 A1\n", "",
     "sample/en/01-first.md:3: A reviewed lesson needs reviewed_by"),
    ("vi/01-first.md", "  - CURRICULUM.md §1 A1", "  - https://dichvucong.gov.vn",
     "sample/vi/01-first.md:7: A reviewed lesson cites the CURRICULUM.md sections"),
    ("vi/01-first.md", "  - CURRICULUM.md §1 A1", "  - https://x.vn\n  - CURRICULUM.md §1 A9",
     "sample/vi/01-first.md:9: CURRICULUM.md has no section §1 A9"),
    ("vi/01-first.md", "  - CURRICULUM.md §1 A1", "  - CURRICULUM.md P1.1\n  - CURRICULUM.md D9.1",
     "sample/vi/01-first.md:9: CURRICULUM.md has no section D9.1"),
    ("course.yaml", "  - CURRICULUM.md §1 A1", "  - CURRICULUM.md, somewhere",
     "sample/course.yaml:8: The source CURRICULUM.md, somewhere names no section"),
    ("vi/01-first.md", "status: reviewed", "status: draft\nreview_note: [1]",
     "sample/vi/01-first.md:4: review_note must be a text"),
    ("vi/01-first.md", "Chữ **đậm**", "Theo Quyết định 2345/QĐ-NHNN, chữ **đậm**",
     "sample/vi/01-first.md:15: Lesson text names a law or decree by number"),
    ("en/01-first.md", "prompt: Choose one?", "prompt: Under Decree 66/2025, choose one?",
     "sample/en/01-first.md:21: Lesson text names a law or decree by number"),
    ("vi/01-first.md", "prompt: Chọn một?", "prompt: Lãi 700% một năm?",
     "sample/vi/01-first.md:21: Lesson text uses a percentage"),
    ("vi/01-first.md", "![Một màn hình]", "![Màn hình hứa lãi 18%]",
     "sample/vi/01-first.md:13: Lesson text uses a percentage"),
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


def test_a_missing_curriculum_file_is_reported(app, courses_dir, tmp_path):
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir, tmp_path / "none.md")
    assert found.courses == {}
    assert "The curriculum file does not exist" in str(found.problems[0])


def test_curriculum_citations_name_real_sections(app):
    from lms.content.curriculum import read_curriculum

    curriculum = read_curriculum(ROOT / "docs" / "curriculum.md")
    for good in ("CURRICULUM.md §1 C3, C5", "CURRICULUM.md §1.B", "CURRICULUM.md P1.4",
                 "CURRICULUM.md D7.3", "CURRICULUM.md, context (Đại sứ số)",
                 "https://vneid.gov.vn"):
        assert curriculum.problem(good) is None, good
    with app.test_request_context("/?lang=en"):
        assert "no section §1 C9" in curriculum.problem("CURRICULUM.md §1 C3, C9")
        assert "names no section" in curriculum.problem("CURRICULUM.md")


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


SMALL_TEXT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 400">'
                  '<g font-size="12"><text x="10" y="20">Số dư</text></g></svg>')


def test_picture_text_too_small_on_a_phone_is_refused_with_file_and_line(app, courses_dir):
    (courses_dir / "sample/images/pic.svg").write_text(SMALL_TEXT_SVG)
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    messages = [str(p).replace("courses/", "", 1) for p in found.problems]
    assert any(m.startswith("sample/vi/01-first.md:13: The smallest text of images/pic.svg "
                            "shows at 10.0 px") for m in messages), messages


@pytest.mark.parametrize(("caption", "refused"), [("Tin nhắn lừa đảo", True),
                                                 ("Tin ngân hàng báo tiền vào", False)])
def test_a_picture_answer_caption_must_not_give_the_answer_away(app, courses_dir, caption,
                                                                refused):
    question = ("kind: picture\nprompt: Tin nào?\noptions:\n"
                f"  - text: {caption}\n    image: images/pic.svg\n    correct: true\n"
                "    feedback: Vì sao.\n"
                "  - text: Tin của con gái\n    image: images/pic.svg\n    feedback: Vì sao.\n")
    for language in ("vi", "en"):
        path = courses_dir / "sample" / language / "01-first.md"
        text = path.read_text("utf-8")
        start = text.index("kind: single")
        path.write_text(text[:start] + question + text[text.index("```", start):], "utf-8")
    with app.test_request_context("/?lang=en"):
        found = read_catalog(courses_dir)
    messages = [str(p).replace("courses/", "", 1) for p in found.problems]
    expected = 'sample/vi/01-first.md:23: A picture answer\'s caption says "lừa đảo"'
    assert any(m.startswith(expected) for m in messages) == refused, messages
    assert (found.problems == ()) != refused


def test_picture_text_is_measured_against_the_box_it_is_drawn_in():
    from lms.content.svgtext import CARD_BOX, OPTION_BOX, shown_px

    svg = SMALL_TEXT_SVG.replace('font-size="12"', 'font-size="15"')
    assert shown_px(svg, CARD_BOX) == pytest.approx(15 * 333 / 400)  # a card: 12.5 px
    assert shown_px(svg, OPTION_BOX) < 12  # the same picture as an answer is too small
    wide = svg.replace('viewBox="0 0 240 400"', 'viewBox="0 0 240 200"')
    assert shown_px(wide, OPTION_BOX) >= 12
    no_text = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect/></svg>'
    assert shown_px(no_text, CARD_BOX) is None


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
    assert {row.course for row in rows} == {
        "phone-basics", "public-services", "digital-payments", "online-safety",
        "ambassador-track", "selling-online", "ai-assistants"}


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


def test_a_web_worker_reads_the_catalog_as_it_starts(test_config):
    """Not on the first villager's request (gunicorn imports wsgi.py in each worker)."""
    from lms import create_app

    app = create_app({**test_config, "LMS_WEB_WORKER": True})
    found = app.extensions.get("lms_catalog")
    assert found is not None and "public-services" in found.courses
    assert "lms_catalog" not in create_app(test_config).extensions  # tests read it lazily
