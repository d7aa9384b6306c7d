"""`flask --app lms cohorts check | refresh`: the Digital Family criteria file."""

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..cli import translated
from . import criteria, status

cohorts_cli = AppGroup("cohorts", help="Cohorts: the Digital Family criteria.")


def _checked() -> criteria.Criteria:
    """Read the criteria file; print every problem as file:line and exit 1 if any."""
    reading = criteria.check()
    for problem in reading.problems:
        click.echo(str(problem), err=True)
    if reading.criteria is None:
        click.echo(_("%(count)s problems found.", count=len(reading.problems)), err=True)
        sys.exit(1)
    return reading.criteria


@cohorts_cli.command("check")
@translated
def check() -> None:
    """Check the Digital Family criteria file; print file:line problems, exit 1 if any."""
    found = _checked()
    click.echo(_("The Digital Family criteria are correct: %(rules)s rules over %(courses)s "
                 "courses (%(file)s).", rules=len(found.rules), courses=len(found.courses),
                 file=criteria.criteria_file()))


@cohorts_cli.command("refresh")
@translated
def refresh() -> None:
    """Judge every household again against the criteria file (after editing it, and once
    a year, since ages are counted in the current year)."""
    _checked()
    criteria.forget()
    households, flips = status.refresh_all()
    click.echo(_("Digital Family status is up to date for %(households)s households "
                 "(%(changes)s changed).", households=households, changes=flips))
