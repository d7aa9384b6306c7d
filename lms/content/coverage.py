"""How far each language is translated: interface strings, and lessons per course that
are missing, draft or reviewed. Shared by `flask translations coverage` and the admin's
page."""

from dataclasses import dataclass

from ..i18n import languages, ui_coverage
from .catalog import Catalog


@dataclass(frozen=True)
class CourseCoverage:
    slug: str
    lessons: int
    present: int
    reviewed: int

    @property
    def draft(self) -> int:
        return self.present - self.reviewed

    @property
    def missing(self) -> int:
        return self.lessons - self.present


@dataclass(frozen=True)
class LanguageCoverage:
    code: str
    name: str
    status: str
    ui_translated: int
    ui_total: int
    courses: tuple[CourseCoverage, ...]

    @property
    def ui_percent(self) -> int:
        return 100 * self.ui_translated // max(self.ui_total, 1)


def translation_coverage(found: Catalog) -> list[LanguageCoverage]:
    result = []
    for code, language in languages().items():
        translated, total = ui_coverage(code)
        courses = []
        for course in found.courses.values():
            texts = [lesson.texts[code] for lesson in course.lessons if code in lesson.texts]
            courses.append(CourseCoverage(
                slug=course.slug, lessons=len(course.lessons), present=len(texts),
                reviewed=sum(1 for text in texts if text.status == "reviewed")))
        result.append(LanguageCoverage(code=code, name=language.name, status=language.status,
                                       ui_translated=translated, ui_total=total,
                                       courses=tuple(courses)))
    return result
