"""The filters of every figures page and of the figures API (DESIGN.md §4.7).

An unknown or malformed value is refused with a translated reason (a 400), never
ignored: a report that silently dropped a filter would be wrong without anyone knowing.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..content.catalog import catalog, localized
from ..events.models import CommunityEvent
from ..extensions import db
from ..i18n import select_language
from ..places.models import Commune, Village
from .rollups import VIETNAM

FILTER_NAMES = ("village", "course", "gender", "age_band", "cohort", "from", "to")
# Names a figures URL may carry besides the filters.
OTHER_NAMES = frozenset({"format", "lang", "sort", "dir"})

GENDERS = {"female": _l("Women"), "male": _l("Men"), "other": _l("Other")}
# Age in whole years reached in the year of the figure: (youngest, oldest).
AGE_BANDS = {"under15": (0, 14), "15-24": (15, 24), "25-39": (25, 39), "40-59": (40, 59),
             "60plus": (60, 150)}
AGE_LABELS = {"under15": _l("Under 15"), "15-24": _l("15 to 24"), "25-39": _l("25 to 39"),
              "40-59": _l("40 to 59"), "60plus": _l("60 and over")}
# Cohort kinds of §4.7: members of Digital Family households, members of households
# assigned to an ambassador of one of the commune's teams, people at an event of the
# commune ("event:<id>"). A kind is accepted only once its rollups exist.
COHORT_KINDS = ("digital_family", "ambassadors", "event")
COHORTS_COUNTED: frozenset[str] = frozenset(COHORT_KINDS)
COHORT_LABELS = {"digital_family": _l("Digital Family households"),
                 "ambassadors": _l("Households of the commune's ambassador teams")}


class BadFilter(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Filters:
    village: Village | None = None
    course: str | None = None
    gender: str | None = None
    age_band: str | None = None
    cohort: str | None = None
    start: date | None = None
    end: date | None = None

    @property
    def figure_date(self) -> date:
        """The day the figures are for: the end of the period, else today in Vietnam."""
        return self.end or datetime.now(VIETNAM).date()

    @property
    def first_week(self) -> date | None:
        return week_start(self.start) if self.start else None

    @property
    def last_week(self) -> date | None:
        return week_start(self.end) if self.end else None

    def birth_years(self) -> tuple[int, int] | None:
        """The birth years of the age band in the year of the figure."""
        if self.age_band is None:
            return None
        youngest, oldest = AGE_BANDS[self.age_band]
        year = self.figure_date.year
        return year - oldest, year - youngest

    def as_args(self) -> dict[str, str]:
        """The filters as URL arguments (only those set)."""
        found = {"village": str(self.village.id) if self.village else None,
                 "course": self.course, "gender": self.gender, "age_band": self.age_band,
                 "cohort": self.cohort,
                 "from": self.start.isoformat() if self.start else None,
                 "to": self.end.isoformat() if self.end else None}
        return {key: value for key, value in found.items() if value}

    def as_json(self) -> dict:
        return {"village": self.village.id if self.village else None, "course": self.course,
                "gender": self.gender, "age_band": self.age_band, "cohort": self.cohort,
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None}

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of each filter set, in the viewer's language, for headers."""
        found = []
        if self.village:
            found.append((_("Village"), self.village.name))
        if self.course:
            course = catalog().course(self.course)
            found.append((_("Course"), localized(course.titles, select_language())[0]
                          if course else self.course))
        if self.gender:
            found.append((_("Gender"), str(GENDERS[self.gender])))
        if self.age_band:
            found.append((_("Age"), str(AGE_LABELS[self.age_band])))
        if self.cohort:
            found.append((_("Cohort"), cohort_label(self.cohort)))
        if self.start:
            found.append((_("From"), self.start.isoformat()))
        if self.end:
            found.append((_("To"), self.end.isoformat()))
        return found


def cohort_label(cohort: str) -> str:
    kind, _sep, number = cohort.partition(":")
    if kind in COHORT_LABELS:
        return str(COHORT_LABELS[kind])
    event = db.session.get(CommunityEvent, int(number)) if number.isdigit() else None
    return _("People at %(event)s (%(day)s)", event=event.title,
             day=event.held_on.isoformat()) if event else cohort


def week_start(day: date) -> date:
    return day.fromordinal(day.toordinal() - day.weekday())


def _one(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadFilter(_("Give %(name)s only once.", name=name))
    value = values[0].strip() if values else ""
    return value or None


def _date(args: MultiDict, name: str) -> date | None:
    value = _one(args, name)
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise BadFilter(_("%(name)s must be a date written YYYY-MM-DD.", name=name))


def parse_filters(args: MultiDict, commune: Commune | None) -> Filters:
    """The filters of a request; BadFilter for anything that is not a known value."""
    unknown = sorted(set(args) - set(FILTER_NAMES) - OTHER_NAMES)
    if unknown:
        raise BadFilter(_("Unknown filter: %(name)s.", name=unknown[0]))
    village = None
    village_id = _one(args, "village")
    if village_id is not None:
        village = db.session.get(Village, int(village_id)) if (
            village_id.isdigit() and len(village_id) < 10) else None
        if village is None or commune is None or village.commune_id != commune.id:
            raise BadFilter(_("Unknown village."))
    course = _one(args, "course")
    found = catalog().course(course) if course else None
    if course is not None and (found is None or found.track != "villager"):
        raise BadFilter(_("Unknown course."))
    gender = _one(args, "gender")
    if gender is not None and gender not in GENDERS:
        raise BadFilter(_("gender must be female, male or other."))
    age_band = _one(args, "age_band")
    if age_band is not None and age_band not in AGE_BANDS:
        raise BadFilter(_("age_band must be under15, 15-24, 25-39, 40-59 or 60plus."))
    cohort = _one(args, "cohort")
    if cohort is not None:
        kind, _sep, number = cohort.partition(":")
        if kind not in COHORT_KINDS or (kind == "event") != bool(number) or (
                number and not number.isdigit()):
            raise BadFilter(_("cohort must be digital_family, ambassadors or event:<number>."))
        if kind not in COHORTS_COUNTED:
            raise BadFilter(_("Figures by cohort are not counted yet."))
        if commune is None:
            raise BadFilter(_("Figures by cohort are given for one commune."))
        if kind == "event":
            event = db.session.get(CommunityEvent, int(number)) if len(number) < 10 else None
            if event is None or event.commune_id != commune.id:
                raise BadFilter(_("Unknown event."))
    start, end = _date(args, "from"), _date(args, "to")
    if start and end and start > end:
        raise BadFilter(_("from must not be after to."))
    return Filters(village=village, course=course, gender=gender, age_band=age_band,
                   cohort=cohort, start=start, end=end)


def weeks_shown(filters: Filters, count: int = 26) -> list[date]:
    """The weeks of the week-by-week table: the last `count` up to the figure's date,
    none before the start of the period."""
    last = week_start(filters.figure_date)
    weeks = [last.fromordinal(last.toordinal() - 7 * back) for back in range(count - 1, -1, -1)]
    return [week for week in weeks if not filters.first_week or week >= filters.first_week]

