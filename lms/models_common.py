"""Column helpers shared by the models."""

import unicodedata
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware; used as a column default callable."""
    return datetime.now(UTC)


def nfc(text: str | None) -> str | None:
    """Names are stored in Unicode NFC so that the same name typed on two phones matches."""
    if text is None:
        return None
    return unicodedata.normalize("NFC", " ".join(text.split()))
