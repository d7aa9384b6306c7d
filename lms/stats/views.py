"""The commune official's pages and the figures API: a commune's figures with filters,
downloads (CSV, XLSX) of exactly what the page shows, and a printable report."""

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Role
from ..api import bp as api_bp
from ..auth import (
    access,
    get_visible_or_404,
    visible_communes,
    visible_households,
    visible_villages,
)
from ..content.catalog import catalog, localized
from ..events.models import CommunityEvent
from ..extensions import db
from ..i18n import select_language
from ..models_common import utcnow
from ..places.models import Commune, Household, Village
from .exports import as_csv, as_xlsx, header_block
from .figures import Figures, commune_figures, masked, province_figures, suppressed
from .filters import (
    AGE_BANDS,
    AGE_LABELS,
    COHORT_LABELS,
    GENDERS,
    BadFilter,
    Filters,
    parse_filters,
)
from .models import HouseholdRollup, PeopleRollup
from .rollups import EVERYONE, HOUSEHOLD, VIETNAM
from .tables import (
    Table,
    chart_max,
    commune_tables,
    headline,
    province_table,
    skill_share,
    week_label,
)

bp = Blueprint("stats", __name__, url_prefix="/official", template_folder="templates")
FORMATS = ("csv", "xlsx")
EVENTS_LISTED = 50  # the latest events offered as a cohort filter


def village_rows(villages_query) -> list[dict]:
    """Households and people per village, from the rollups (a few rows per village,
    whatever the number of households)."""
    ids = villages_query.with_only_columns(Village.id)
    villages = db.session.execute(select(Village.id, Village.name, Village.commune_id)
                                  .where(Village.id.in_(ids)).order_by(Village.name)).all()
    # The rollups' keys start with the commune: naming it reads that commune's rows only,
    # not every row of the province.
    communes = sorted({village.commune_id for village in villages})
    village_ids = [village.id for village in villages]
    households = dict(db.session.execute(
        select(HouseholdRollup.village_id, func.sum(HouseholdRollup.count))
        .where(HouseholdRollup.commune_id.in_(communes), HouseholdRollup.cohort == EVERYONE,
               HouseholdRollup.fact == HOUSEHOLD, HouseholdRollup.village_id.in_(village_ids))
        .group_by(HouseholdRollup.village_id)).all())
    people = dict(db.session.execute(
        select(PeopleRollup.village_id, func.sum(PeopleRollup.people))
        .where(PeopleRollup.commune_id.in_(communes), PeopleRollup.village_id.in_(village_ids))
        .group_by(PeopleRollup.village_id)).all())
    return [{"id": v_id, "name": name, "households": int(households.get(v_id) or 0),
             "people": int(people.get(v_id) or 0)} for v_id, name, _commune in villages]


def language() -> str:
    return select_language()


def download_format() -> str | None:
    value = request.args.get("format")
    if value is not None and value not in FORMATS:
        raise BadFilter(_("format must be csv or xlsx."))
    return value


def bad_request_page(message: str, commune: Commune | None = None):
    return render_template("stats/bad_filter.html", message=message, commune=commune), 400


def download(kind: str, place: str, filters: list, tables: list, name: str):
    now = utcnow().astimezone(VIETNAM)
    header = header_block(place, filters, now)
    filename = f"{name}-{now:%Y-%m-%d}"
    return as_csv(header, tables, filename) if kind == "csv" else as_xlsx(header, tables,
                                                                           filename)


@bp.route("/")
@access(Role.OFFICIAL.value)
def home():
    commune = db.session.scalar(visible_communes(current_user))
    if commune is None:
        abort(404)
    return dashboard(commune.id)


def _figures_for(commune: Commune) -> tuple[Filters, Figures]:
    filters = parse_filters(request.args, commune)
    return filters, commune_figures(commune, filters)


@bp.route("/communes/<int:commune_id>")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def dashboard(commune_id: int, template: str = "stats/dashboard.html"):
    commune = get_visible_or_404(visible_communes(current_user), Commune, commune_id)
    try:
        kind = download_format()
        filters, figures = _figures_for(commune)
    except BadFilter as error:
        return bad_request_page(str(error), commune)
    tables = commune_tables(figures, language())
    if kind:
        return download(kind, _("Commune %(name)s", name=commune.name), filters.describe(),
                        [headline_table(figures), *tables], f"so-lieu-xa-{commune.id}")
    villages = db.session.execute(select(Village.id, Village.name).where(
        Village.commune_id == commune.id).order_by(Village.name)).all()
    events = db.session.execute(
        select(CommunityEvent.id, CommunityEvent.title, CommunityEvent.held_on)
        .where(CommunityEvent.commune_id == commune.id)
        .order_by(CommunityEvent.held_on.desc(), CommunityEvent.id.desc())
        .limit(EVENTS_LISTED)).all()
    return render_template(
        template, commune=commune, filters=filters, figures=figures, tables=tables,
        headline=headline(figures), villages=villages, courses=catalog().for_track("villager"),
        genders=GENDERS, age_bands=AGE_BANDS, age_labels=AGE_LABELS, masked=masked,
        cohort_labels=COHORT_LABELS, events=events,
        localized=localized, language=language(),
        now=utcnow().astimezone(VIETNAM), args=filters.as_args(), chart_max=chart_max,
        households=village_rows(visible_villages(current_user).where(
            Village.commune_id == commune.id)))


@bp.route("/communes/<int:commune_id>/report")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def report(commune_id: int):
    return dashboard(commune_id, template="stats/report.html")


def headline_table(figures: Figures) -> Table:
    return Table("headline", _("Headline figures"), (_("Figure"), _("Count")),
                 tuple(headline(figures)))


@bp.route("/villages/<int:village_id>")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def village(village_id: int):
    found = get_visible_or_404(visible_villages(current_user), Village, village_id)
    households = db.session.scalars(
        visible_households(current_user).where(Household.village_id == found.id)
        .options(selectinload(Household.members)).order_by(Household.name)
    ).all()
    return render_template("stats/village.html", village=found, households=households)


# --- the figures API (DESIGN.md §4.7) ---------------------------------------------------


def _split_json(rows: list[dict], keys: tuple[str, ...], totals: dict, extra) -> list[dict]:
    columns = {key: suppressed([row[key] for row in rows], totals[key]) for key in keys}
    return [{**extra(row), **{key: columns[key][i] for key in keys}}
            for i, row in enumerate(rows)]


def figures_json(figures: Figures) -> dict:
    lang = language()
    totals = {"people": figures.people, "started": figures.started,
              "completed": figures.completed}
    triple, pair = ("people", "started", "completed"), ("started", "completed")
    return {
        "commune": {"id": figures.commune.id, "name": figures.commune.name},
        "filters": figures.filters.as_json(),
        "date": figures.filters.figure_date.isoformat(),
        "people": masked(figures.people), "started": masked(figures.started),
        "completed": masked(figures.completed),
        "courses": [{"slug": c["slug"], "title": localized(c["titles"], lang)[0],
                     "started": masked(c["started"]), "completed": masked(c["completed"])}
                    for c in figures.courses],
        "lessons": [{"course": x["course"], "slug": x["slug"],
                     "title": localized(x["titles"], lang)[0], "started": masked(x["started"]),
                     "completed": masked(x["completed"])} for x in figures.lessons],
        "villages": _split_json(figures.villages, triple, totals,
                                lambda row: {"id": row["id"], "name": row["name"]}),
        "genders": _split_json(figures.genders, triple, totals,
                               lambda row: {"gender": row["gender"] or None}),
        "age_bands": _split_json(figures.ages, triple, totals,
                                 lambda row: {"age_band": row["band"]}),
        "weeks": _split_json(figures.weeks, pair, totals,
                             lambda row: {"week": week_label(row["week"])}),
        "skills": [{"course": row["course"], "skill": row["skill"],
                    "title": localized(row["titles"], lang)[0],
                    "verified": masked(row["verified"]),
                    "share": skill_share(row["verified"], row["adults"])}
                   for row in figures.skills],
        "adults": masked(figures.skills[0]["adults"]) if figures.skills else None,
        "digital_families": _household(figures.digital_families),
        "ambassadors": {key: _household(value)
                        for key, value in (figures.ambassadors or {}).items()},
        "ambassadors_this_month": {key: _household(value) for key, value in (
            figures.ambassadors_month or {}).items()},
        "struggles": [{"course": q["course"], "lesson": q["lesson"], "step": q["step"],
                       "answers": q["answers"], "wrong": q["wrong"],
                       "share": round(q["share"], 3), "answer": q["answer"]}
                      for q in figures.struggles],
    }


def _household(count: int | None) -> int | str | None:
    """A household figure; None under a gender or age filter (households are not split)."""
    return None if count is None else masked(count)


def _json_error(message: str):
    return jsonify({"error": message}), 400


@api_bp.route("/stats/communes/<int:commune_id>")
@access(Role.OFFICIAL.value, Role.ADMIN.value)
def commune_stats(commune_id: int):
    """A commune's figures under the page's filters; counts under 5 are "<5"."""
    commune = get_visible_or_404(visible_communes(current_user), Commune, commune_id)
    try:
        kind = download_format()
        filters, figures = _figures_for(commune)
    except BadFilter as error:
        return _json_error(str(error))
    if kind:
        return download(kind, _("Commune %(name)s", name=commune.name), filters.describe(),
                        [headline_table(figures), *commune_tables(figures, language())],
                        f"so-lieu-xa-{commune.id}")
    return jsonify(figures_json(figures))


@api_bp.route("/stats/province")
@access(Role.ADMIN.value)
def province_stats():
    """Every commune side by side."""
    try:
        kind = download_format()
        parse_filters(request.args, None)
    except BadFilter as error:
        return _json_error(str(error))
    rows = province_figures()
    table = province_table(rows)
    if kind:
        return download(kind, _("Province"), [], [table], "so-lieu-tinh")
    return jsonify({"communes": [
        {"id": row["id"], "name": row["name"], "people": cells[1], "started": cells[2],
         "completed": cells[3], "digital_families": cells[4]}
        for row, cells in zip(rows, table.rows, strict=True)]})
