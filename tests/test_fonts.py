"""The Tai Viet web font: shipped with its licence, small, declared only on Tai Dam pages
and only for the Tai Viet letters."""

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont  # a development tool: the tests and `make font` only

from lms.i18n import languages

ROOT = Path(__file__).resolve().parent.parent
STEP = "/learn/online-safety/fake-police/2"


def test_only_tai_dam_has_a_font_and_it_ships_with_its_licence(app):
    with app.app_context():
        fonts = {code: language.font for code, language in languages().items() if language.font}
    assert list(fonts) == ["blt"]
    font = fonts["blt"]
    assert font.unicode_range == "U+AA80-AADF"
    file = ROOT / "static" / font.file
    assert file.is_file() and file.stat().st_size <= 10 * 1024
    licence = (file.parent / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Noto Project Authors" in licence


def test_the_font_holds_the_tai_viet_letters_and_little_else(app):
    with app.app_context():
        font = languages()["blt"].font
    characters = set(TTFont(ROOT / "static" / font.file).getBestCmap())
    tai_viet = set(range(0xAA80, 0xAAC3)) | set(range(0xAADB, 0xAAE0))  # assigned letters
    assert tai_viet <= characters
    assert characters - set(range(0xAA80, 0xAAE0)) <= {0x20, 0xA0, 0x200C, 0x200D, 0x25CC}


@pytest.mark.parametrize("language, declared", [("blt", True), ("vi", False), ("hmn", False),
                                                ("en", False)])
def test_the_font_is_declared_only_on_tai_dam_pages(signed_in, language, declared):
    page = signed_in("mine").get(f"{STEP}?lang={language}").get_data(as_text=True)
    assert ("@font-face" in page) is declared
    if declared:
        assert "unicode-range:U+AA80-AADF" in page
        assert "/static/fonts/noto-sans-tai-viet-subset.woff2?v=" in page
