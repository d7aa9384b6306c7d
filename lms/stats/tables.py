"""The figures as the tables a person reads: one list of tables that the page, the
printable report, the CSV and the XLSX all show, so that they agree cell by cell."""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..content.catalog import catalog, localized
from .figures import Figures, masked, suppressed
from .filters import AGE_LABELS, GENDERS


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # first cell a label; then counts, "<5", "≥5" or percentages


def _split(rows: list[dict], label, keys: tuple[str, ...], totals: dict) -> list[tuple]:
    """Rows of a split of the headline: each column suppressed against its total."""
    columns = [suppressed([row[key] for row in rows], totals[key]) for key in keys]
    return [(label(row), *(column[i] for column in columns)) for i, row in enumerate(rows)]


NOT_SPLIT = "—"  # a household figure under a gender or age filter


def _household_cell(count: int | None) -> int | str:
    return NOT_SPLIT if count is None else masked(count)


def headline(figures: Figures) -> list[tuple[str, int | str]]:
    return [(_("People registered"), masked(figures.people)),
            (_("Started"), masked(figures.started)),
            (_("Completed"), masked(figures.completed)),
            (_("Households that reached Digital Family"),
             _household_cell(figures.digital_families))]


def skill_share(verified: int, adults: int) -> int | str:
    """The share of adults (a whole percentage), shown only when the count is shown."""
    if masked(verified) != verified or masked(adults) != adults:
        return masked(verified) if masked(verified) != verified else masked(adults)
    return round(100 * verified / adults) if adults else 0


def skills_table(figures: Figures, language: str) -> Table:
    rows = []
    for row in figures.skills:
        rows.append((f"{localized(row['course_titles'], language)[0]} · "
                     f"{localized(row['titles'], language)[0]}",
                     masked(row["verified"]), skill_share(row["verified"], row["adults"])))
    return Table("skills", _("Skills verified in person (adults)"),
                 (_("Skill"), _("Adults verified"), _("Share of adults (%)")), tuple(rows))


def ambassadors_table(figures: Figures) -> Table:
    overall, month = figures.ambassadors or {}, figures.ambassadors_month or {}
    labels = (("visits", _("Guidance visits")), ("households_reached", _("Households reached")),
              ("people_guided", _("People guided")))
    return Table("ambassadors", _("Digital Ambassadors' activity"),
                 (_("Activity"), _("This month"), _("Overall")),
                 tuple((label, _household_cell(month.get(key)),
                        _household_cell(overall.get(key))) for key, label in labels))


def commune_tables(figures: Figures, language: str) -> list[Table]:
    totals = {"people": figures.people, "started": figures.started,
              "completed": figures.completed}
    triple = (_("People"), _("Started"), _("Completed"))
    keys = ("people", "started", "completed")
    courses = catalog().courses
    lesson_rows = []
    for lesson in figures.lessons:
        title = localized(courses[lesson["course"]].titles, language)[0]
        lesson_rows.append((_("%(course)s · %(number)s. %(lesson)s", course=title,
                              number=lesson["position"],
                              lesson=localized(lesson["titles"], language)[0]),
                            masked(lesson["started"]), masked(lesson["completed"])))
    tables = [
        Table("villages", _("By village"), (_("Village"), *triple),
              tuple(_split(figures.villages, lambda row: row["name"], keys, totals))),
        Table("courses", _("By course"), (_("Course"), _("Started"), _("Completed")),
              tuple((localized(row["titles"], language)[0], masked(row["started"]),
                     masked(row["completed"])) for row in figures.courses)),
        Table("lessons", _("By lesson"), (_("Lesson"), _("Started"), _("Completed")),
              tuple(lesson_rows)),
        Table("genders", _("By gender"), (_("Gender"), *triple), tuple(_split(
            figures.genders, lambda row: str(GENDERS[row["gender"]]) if row["gender"]
            else _("Not given"), keys, totals))),
        Table("ages", _("By age"), (_("Age"), *triple), tuple(_split(
            figures.ages, lambda row: str(AGE_LABELS[row["band"]]) if row["band"]
            else _("Not given"), keys, totals))),
        Table("weeks", _("Week by week"), (_("Week"), _("Started"), _("Completed")),
              tuple(_split(figures.weeks, lambda row: week_label(row["week"]),
                           ("started", "completed"), totals))),
    ]
    struggles = []
    for question in figures.struggles:
        course = courses[question["course"]]
        lesson = course.lesson(question["lesson"])
        text = lesson.texts.get(language) or lesson.texts["vi"]
        step = text.steps[question["step"] - 1]
        struggles.append((
            f"{localized(course.titles, language)[0]} · {text.title} · {step.question.prompt}",
            question["answers"], question["wrong"], round(question["share"] * 100),
            answer_text(step.question, question["answer"])))
    tables[2:2] = [skills_table(figures, language), ambassadors_table(figures)]
    tables.append(Table("struggles", _("Where learners struggle"),
                        (_("Question"), _("Answers"), _("Wrong"), _("Wrong (%)"),
                         _("Wrong answer chosen most")), tuple(struggles)))
    return tables


def week_label(week) -> str:
    year, number, _day = week.isocalendar()
    return f"{year}-W{number:02d}"


def answer_text(question, key: str) -> str:
    options = question.options
    try:
        return " → ".join(options[int(part)].text for part in key.split(",")) if (
            question.kind == "order") else "; ".join(options[int(part)].text
                                                     for part in key.split(","))
    except (ValueError, IndexError):
        return key


PROVINCE_KEYS = ("people", "started", "completed", "digital_families")


def province_table(rows: list[dict]) -> Table:
    totals = {key: sum(row[key] for row in rows) for key in PROVINCE_KEYS}
    return Table("communes", _("Communes"), (_("Commune"), _("People"), _("Started"),
                                             _("Completed"), _("Digital Families")),
                 tuple(_split(rows, lambda row: row["name"], PROVINCE_KEYS, totals)))


def chart_max(table: Table, columns: list[int]) -> int:
    """The largest count shown in the columns (hidden counts draw no bar)."""
    return max([row[i] for row in table.rows for i in columns if isinstance(row[i], int)],
               default=0)
