"""Writing the loaded content's lesson list to the database."""

from ..extensions import db
from ..models_common import utcnow
from .catalog import Catalog
from .models import LessonIndex


def store_lesson_index(found: Catalog) -> int:
    """Upsert one row per lesson; lessons no longer shipped are kept but marked inactive,
    because progress may still point at them."""
    existing = {(row.course, row.lesson): row for row in db.session.scalars(db.select(LessonIndex))}
    seen = set()
    # Every worker compares this time with its own catalog's and reads the files again.
    now = utcnow()
    for course in found.courses.values():
        for lesson in course.lessons:
            key = (course.slug, lesson.slug)
            seen.add(key)
            row = existing.get(key) or LessonIndex(course=course.slug, lesson=lesson.slug)
            row.track, row.position, row.steps = course.track, lesson.position, lesson.step_count
            row.content_version, row.active = course.version, True
            row.loaded_at = now
            db.session.add(row)
    for key, row in existing.items():
        if key not in seen:
            row.active = False
    db.session.commit()
    return len(seen)
