"""The intrinsic size of a course picture, read once when the course loads, so that every
page can reserve the picture's space before it arrives (no layout shift on slow 3G)."""

import re
import struct
from pathlib import Path

SVG_TAG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
VIEW_BOX = re.compile(r"""\bviewBox\s*=\s*["']\s*([-\d.eE+]+)[\s,]+([-\d.eE+]+)[\s,]+"""
                      r"""([\d.eE+]+)[\s,]+([\d.eE+]+)\s*["']""")
LENGTH = r"""\b{}\s*=\s*["']\s*([\d.]+)\s*(?:px)?\s*["']"""


def _positive(width: float, height: float) -> tuple[int, int] | None:
    if width <= 0 or height <= 0:
        return None
    return max(1, round(width)), max(1, round(height))


def svg_size(text: str) -> tuple[int, int] | None:
    """From the root element's viewBox, else its width and height in pixels."""
    tag = SVG_TAG.search(text)
    if tag is None:
        return None
    try:
        box = VIEW_BOX.search(tag.group(0))
        if box:
            return _positive(float(box.group(3)), float(box.group(4)))
        width = re.search(LENGTH.format("width"), tag.group(0))
        height = re.search(LENGTH.format("height"), tag.group(0))
        if width and height:
            return _positive(float(width.group(1)), float(height.group(1)))
    except ValueError:
        return None
    return None


def webp_size(data: bytes) -> tuple[int, int] | None:
    """From the RIFF header: lossy (VP8), lossless (VP8L) or extended (VP8X)."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _positive(width, height)
    return None


def picture_size(file: Path) -> tuple[int, int] | None:
    if file.suffix == ".svg":
        return svg_size(file.read_text("utf-8", "replace"))
    if file.suffix == ".webp":
        return webp_size(file.read_bytes()[:32])
    return None
