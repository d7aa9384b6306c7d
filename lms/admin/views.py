"""The province admin's pages: every commune side by side, sortable by any figure."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from ..accounts.models import Role
from ..auth import access
from ..stats.figures import ALSO_HIDDEN, HIDDEN, province_figures
from ..stats.filters import BadFilter, parse_filters
from ..stats.tables import Table, province_table
from ..stats.views import bad_request_page, download, download_format

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
SORTS = ("name", "people", "started", "completed", "digital_families")


def _sort_value(cell):
    """Sort by what is shown: a hidden count sorts as hidden, never by its true value."""
    if cell == HIDDEN:
        return 0.5
    if cell == ALSO_HIDDEN:
        return 5
    return cell


def sorted_table(table: Table, sort: str, descending: bool) -> Table:
    column = SORTS.index(sort)
    rows = sorted(table.rows, key=lambda row: row[0].casefold())
    if column:
        rows.sort(key=lambda row: _sort_value(row[column]), reverse=descending)
    elif descending:
        rows.reverse()
    return Table(table.key, table.title, table.columns, tuple(rows))


@bp.route("/")
@access(Role.ADMIN.value)
def home():
    sort, direction = request.args.get("sort", "name"), request.args.get("dir", "asc")
    try:
        kind = download_format()
        parse_filters(request.args, None)
        if sort not in SORTS or direction not in ("asc", "desc"):
            raise BadFilter(_("Sort by name, people, started, completed or "
                              "digital_families, asc or desc."))
    except BadFilter as error:
        return bad_request_page(str(error))
    rows = province_figures()
    table = sorted_table(province_table(rows), sort, direction == "desc")
    if kind:
        return download(kind, _("Province"), [], [table], "so-lieu-tinh")
    ids = {row["name"]: row["id"] for row in rows}
    return render_template("admin/home.html", table=table, ids=ids, sort=sort,
                           direction=direction, sorts=SORTS)
