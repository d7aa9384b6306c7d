"""What the phones' offline queues send: batches of items (progress events, visits,
attendance marks), each with an id the phone made, answered item by item. A replayed item
is a duplicate, never a second record; a bad item is rejected with its reason and the
rest of the batch is kept."""

import uuid
from dataclasses import dataclass, field


@dataclass
class BatchResult:
    """The answer to one batch: the ids stored now, those stored before, and each rejected
    item with its reason."""

    accepted: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected}


def is_id(value) -> bool:
    """A JSON number that can name a row (JSON's true and false are not ids)."""
    return isinstance(value, int) and not isinstance(value, bool)


def version4_uuid(value) -> str | None:
    """The item's id in its canonical form, or None unless it is a version 4 UUID."""
    try:
        parsed = uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return str(parsed) if parsed is not None and parsed.version == 4 else None
