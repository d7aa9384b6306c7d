"""Glossaries of the community languages: one spelling per word, a warning (with file and
line) where a lesson or the catalog uses another, and the shipped drafts in line."""

import shutil
from pathlib import Path

import pytest
import yaml

from lms.content.catalog import read_catalog
from lms.content.glossary import GlossaryError, check_spellings, lesson_lines, parse_glossary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "course_fixtures"
TRANSLATIONS = ROOT / "translations"

SMALL = """\
language: hmn
status: draft
terms:
  right:
    vi: đúng
    spelling: zaos
    variants: [zos, zol]
    status: draft
  not:
    vi: không
    spelling: tsil
    variants: [tsi, tsis]
    status: draft
  what:
    vi: gì
    spelling: đaz tsi
    variants: []
    status: draft
  wrong:
    vi: sai
    spelling: tsil zaos
    variants: [tsis zol]
    status: draft
  next:
    vi: tiếp theo
    spelling:
    status: draft
"""


def small():
    return parse_glossary(SMALL, "hmn")


def test_a_variant_is_found_and_the_chosen_spelling_is_not():
    glossary = small()
    assert glossary.find("Zaos lơưv.") == []
    found = glossary.find("Zos lơưv, tsis zol!")
    assert [(term.key, variant) for term, variant in found] == [("right", "zos"),
                                                                ("wrong", "tsis zol")]


def test_the_longest_form_wins_so_a_word_inside_a_chosen_phrase_is_not_flagged():
    # "tsi" is a variant of "not", but inside the chosen "đaz tsi" (what) it is right.
    assert small().find("Cox uô đaz tsi?") == []
    assert [t.key for t, _ in small().find("Tsi uô đaz tsi")] == ["not"]


def test_words_are_whole_words_not_parts_of_words():
    assert small().find("zosz tsilx tsiz") == []


def test_tai_viet_tone_marks_are_part_of_the_word():
    glossary = parse_glossary("""\
language: blt
terms:
  not:
    vi: không
    spelling: ꪹꪚꪱ
    variants: [ꪹꪚꪱ꪿]
    status: draft
""", "blt")
    assert glossary.find("ꪹꪚꪱ ꪵꪣꪙ.") == []
    assert [v for _, v in glossary.find("ꪹꪚꪱ꪿ ꪵꪣꪙ.")] == ["ꪹꪚꪱ꪿"]


@pytest.mark.parametrize("text, line, message", [
    ("language: hmn\nterms: {a: [}\n", 2, "not valid YAML"),
    ("language: blt\nterms: {}\n", 1, "language: hmn"),
    ("language: hmn\nterms:\n  right:\n    spelling: zaos\n    status: draft\n", 3, "needs vi"),
    ("language: hmn\nterms:\n  right:\n    vi: đúng\n    spelling: zaos\n"
     "    status: done\n", 3, "status must be"),
    ("language: hmn\nterms:\n  right:\n    vi: đúng\n    variants: [zos]\n"
     "    status: draft\n", 3, "no spelling"),
    ("language: hmn\nterms:\n  right:\n    vi: đúng\n    spelling: zaos\n    status: draft\n"
     "  \"yes\":\n    vi: có\n    spelling: tâu\n    variants: [zaos]\n    status: draft\n",
     7, "already a form of right"),
    ("language: hmn\nterms:\n  no:\n    vi: không\n    status: draft\n", 1, "in quotes"),
])
def test_a_broken_glossary_says_what_and_where(app, text, line, message):
    with app.test_request_context("/?lang=en"), pytest.raises(GlossaryError) as error:
        parse_glossary(text, "hmn")
    assert error.value.line == line
    assert message in str(error.value)


def test_lesson_lines_are_title_and_body_without_keys_and_file_names():
    text = ("---\ntitle: Zos\nstatus: draft\nreview_note: tsi\n---\n\n"
            "![Zos](images/zos.svg)\n\n```quiz\nkind: truefalse\noptions:\n"
            "  - text: Zol\n    correct: true\n    feedback: Zol lơưv.\n```\n")
    lines = dict(lesson_lines(text))
    assert lines[2].strip() == "Zos"
    assert 4 not in lines  # review notes are for translators, not learners
    assert "images/zos.svg" not in lines[7]
    assert lines[12].strip() == "Zol" and lines[14].strip() == "Zol lơưv."
    assert 10 not in lines and 13 not in lines


@pytest.fixture
def courses_dir(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(FIXTURES, target)
    return target


def hmong_lesson(courses_dir: Path, old: str, new: str) -> Path:
    """The sample lesson in H'Mong: the Vietnamese file with one answer's feedback in
    H'Mong words taken from the drafts."""
    source = (courses_dir / "sample" / "vi" / "01-first.md").read_text("utf-8")
    assert old in source
    path = courses_dir / "sample" / "hmn" / "01-first.md"
    path.parent.mkdir()
    path.write_text(source.replace("status: reviewed", "status: draft").replace(old, new, 1),
                    "utf-8")
    return path


def test_the_checker_warns_with_file_and_line_and_still_loads(app, runner, courses_dir,
                                                              monkeypatch):
    hmong_lesson(courses_dir, "feedback: Chưa đúng.", "feedback: Tsis zol.")
    app.config["LMS_COURSES_DIR"] = str(courses_dir)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert ("sample/hmn/01-first.md:27: cảnh báo: “tsis zol” là một cách viết khác của từ "
            "“tsil zaos”") in result.output
    with app.test_request_context("/"):
        found = read_catalog(courses_dir)
    assert not found.problems
    assert "hmn" in found.courses["sample"].lessons[0].texts
    assert [(w.file, w.line) for w in found.warnings] == [("courses/sample/hmn/01-first.md", 27)]


def test_the_chosen_spelling_gives_no_warning(app, courses_dir):
    hmong_lesson(courses_dir, "feedback: Chưa đúng.", "feedback: Tsil zaos.")
    with app.test_request_context("/"):
        found = read_catalog(courses_dir)
    assert not found.problems and not found.warnings


def test_a_broken_glossary_is_a_problem_with_its_file(app, tmp_path, courses_dir):
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary" / "hmn.yaml").write_text("language: hmn\nterms: {a: [}\n", "utf-8")
    with app.test_request_context("/"):
        problems, warnings = check_spellings(courses_dir, tmp_path, ["hmn"])
    assert [(p.file, p.line) for p in problems] == [(f"{tmp_path.name}/glossary/hmn.yaml", 2)]


def test_the_interface_catalog_is_checked_too(app, tmp_path):
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary" / "hmn.yaml").write_text(SMALL, "utf-8")
    catalog = tmp_path / "hmn" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "messages.po").write_text(
        'msgid "Right"\nmsgstr "Zol"\n\nmsgid "Wrong"\nmsgstr ""\n"Tsil zaos"\n', "utf-8")
    with app.test_request_context("/"):
        _, warnings = check_spellings(tmp_path / "courses", tmp_path, ["hmn"])
    assert [(w.file.split("/", 1)[1], w.line) for w in warnings] == [
        ("hmn/LC_MESSAGES/messages.po", 2)]


@pytest.mark.parametrize("code", ["blt", "hmn"])
def test_shipped_glossaries_are_drafts_listing_the_lesson_and_interface_words(app, code):
    text = (TRANSLATIONS / "glossary" / f"{code}.yaml").read_text("utf-8")
    with app.test_request_context("/"):
        glossary = parse_glossary(text, code)
    keys = {term.key for term in glossary.terms}
    assert {"right", "wrong", "yes", "no", "next", "back", "listen", "otp", "phone", "money",
            "bank", "police", "scammer"} <= keys
    assert all(term.status == "draft" for term in glossary.terms)
    assert yaml.safe_load(text)["status"] == "draft"


@pytest.mark.parametrize("code", ["blt", "hmn"])
def test_every_glossary_spelling_is_taken_from_the_shipped_drafts(app, code):
    """Nothing in a glossary is made up: each spelling and variant occurs in a draft lesson,
    the catalog or (for a variant) the language registry."""
    with app.test_request_context("/"):
        glossary = parse_glossary(
            (TRANSLATIONS / "glossary" / f"{code}.yaml").read_text("utf-8"), code)
    drafts = " ".join(path.read_text("utf-8").lower()
                      for path in sorted(ROOT.glob(f"courses/*/{code}/*.md")))
    drafts += (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").read_text("utf-8").lower()
    for term in glossary.terms:
        if term.spelling is not None:
            assert term.spelling.lower() in drafts, term.key


def test_shipped_drafts_are_in_line_with_their_glossaries(app):
    with app.test_request_context("/"):
        found = read_catalog(ROOT / "courses")
    assert not found.problems
    assert [str(w) for w in found.warnings] == []


def test_the_hmong_menu_label_is_in_the_vietnamese_hmong_script(client):
    page = client.get("/login?lang=vi").get_data(as_text=True)
    assert "Lul Hmôngz" in page
    assert "Lus Hmoob" not in page
    drafts = (ROOT / "courses/ambassador-track/hmn/01-guide-hands-on.md").read_text("utf-8")
    assert "lul Hmôngz" in drafts
