"""`flask --app lms ambassadors refresh`: the daily run for the time-based needs-help rules
(silent for 14 days, no start 30 days after registering), for a timer to call."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..cli import translated
from . import needs_help

ambassadors_cli = AppGroup("ambassadors", help="Digital Ambassadors' field work.")


@ambassadors_cli.command("refresh")
@translated
def refresh() -> None:
    """Bring every needs-help flag up to date."""
    flagged = needs_help.refresh_everyone()
    click.echo(_("Needs-help flags are up to date: %(count)s people need a visit.",
                 count=flagged))
