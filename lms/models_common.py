"""Column helpers shared by the models."""

import unicodedata
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware; used as a column default callable."""
    return datetime.now(UTC)


# Control characters and the marks that reorder text (a right-to-left override makes
# "Lò Văn" show as something else): a name or a note never needs them.
_INVISIBLE = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F),
                            *range(0x2066, 0x206A)])


def without_invisible(text: str) -> str:
    """Longer text (a translation, a note) without control and reordering marks; line
    breaks stay."""
    return "\n".join(line.translate(_INVISIBLE) for line in text.split("\n"))


def nfc(text: str | None) -> str | None:
    """Names are stored in Unicode NFC so that the same name typed on two phones matches;
    runs of white space become one space, and invisible control characters go."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", " ".join(text.split()).translate(_INVISIBLE))
