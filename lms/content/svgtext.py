"""How big the words in an SVG picture are on a 360 px phone.

A picture is drawn to fit a box (static/css/app.css: a card picture at most the card's
width and 45 % of the screen's height, a picture answer at most 30 %); its text shrinks
with it. From the viewBox and the font sizes this finds the smallest text in CSS px."""

import re
import xml.etree.ElementTree as ET

# The boxes a picture is drawn into on a 360×740 phone: the card's inner width, and the
# max-height rules of .picture (45vh) and .pictures .option img (30vh).
CARD_BOX = (336, 0.45 * 740)
OPTION_BOX = (306, 0.30 * 740)
MIN_TEXT_PX = 12
DEFAULT_FONT_SIZE = 16.0
NUMBER = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")
STYLE_SIZE = re.compile(r"font-size\s*:\s*([0-9.]+)(px)?")


def _size(element, inherited: float) -> float:
    style = STYLE_SIZE.search(element.get("style", ""))
    raw = style.group(1) if style else element.get("font-size")
    if raw is None:
        return inherited
    match = NUMBER.match(raw)
    return float(match.group(1)) if match else inherited


def smallest_text(svg: str) -> tuple[float, float, float] | None:
    """(smallest font size in user units, viewBox width, viewBox height), or None when
    the picture has no text or no viewBox to measure against."""
    try:
        root = ET.fromstring(svg)  # noqa: S314 (course files are ours, checked for script)
    except ET.ParseError:
        return None
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) != 4:
        return None
    width, height = float(box[2]), float(box[3])
    sizes: list[float] = []

    def walk(element, inherited: float) -> None:
        size = _size(element, inherited)
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("text", "tspan") and (element.text or "").strip():
            sizes.append(size)
        for child in element:
            walk(child, size)

    walk(root, DEFAULT_FONT_SIZE)
    if not sizes or width <= 0 or height <= 0:
        return None
    return min(sizes), width, height


def shown_px(svg: str, box: tuple[float, float]) -> float | None:
    """The smallest text of the picture in CSS px when drawn to fit `box`."""
    measured = smallest_text(svg)
    if measured is None:
        return None
    size, width, height = measured
    return size * min(box[0] / width, box[1] / height)
