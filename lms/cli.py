"""Flask CLI commands: `flask --app lms <group> <command>`."""

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from .accounts.models import Role
from .accounts.operations import InvalidInput, create_account
from .extensions import db

users_cli = AppGroup("users", help="Manage sign-in accounts.")
demo_cli = AppGroup("demo", help="The demo commune.")


def translated(command: Callable) -> Callable:
    """Run a command with the operator's language (from LANG) so that its messages and
    errors are translated; bad input exits 2 and writes nothing."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        language = (os.environ.get("LMS_LANGUAGE") or os.environ.get("LANG") or "vi")
        language = language.split(".")[0].replace("_", "-")
        # A POST context: CLI commands write, so they take SQLite's write lock up front.
        with current_app.test_request_context(
            "/", method="POST", headers={"Accept-Language": language}
        ):
            try:
                return command(*args, **kwargs)
            except InvalidInput as error:
                db.session.rollback()
                click.echo(_("Error: %(message)s", message=str(error)), err=True)
                sys.exit(2)

    return with_appcontext(run)


def _is_id(value: str) -> bool:
    """A number that can be a row's id; anything else is looked up as a name."""
    from .inputs import MAX_DATABASE_INTEGER

    return value.isascii() and value.isdigit() and int(value) <= MAX_DATABASE_INTEGER


def _find_commune(value: str | None):
    from .places.models import Commune

    if value is None:
        return None
    query = db.select(Commune)
    query = query.where(Commune.id == int(value)) if _is_id(value) else query.where(
        Commune.name == value
    )
    commune = db.session.scalar(query)
    if commune is None:
        raise InvalidInput(_("No commune called %(name)s.", name=value))
    return commune


def _find_village(commune, value: str | None):
    from .places.models import Village

    if value is None:
        return None
    query = db.select(Village)
    if commune is not None:
        query = query.where(Village.commune_id == commune.id)
    query = query.where(Village.id == int(value)) if _is_id(value) else query.where(
        Village.name == value
    )
    villages = db.session.scalars(query).all()
    if len(villages) != 1:
        raise InvalidInput(_("No single village called %(name)s. Give --commune too.",
                             name=value))
    return villages[0]


@users_cli.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--phone", required=True)
@click.option("--name", default=None, help="Display name (default: the phone number).")
@click.option("--commune", default=None, help="Commune name or id (officials, ambassadors).")
@click.option("--village", default=None, help="Village name or id (learners: a new household).")
@click.option("--password-stdin", is_flag=True, help="Read the password or PIN from stdin.")
@translated
def create_user(role, phone, name, commune, village, password_stdin):
    """Create an account. Learners get a household of their own in --village."""
    from .accounts.models import Person
    from .places.models import Household

    role = Role(role)
    if password_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = click.prompt(_("PIN") if role == Role.LEARNER else _("Password"),
                              hide_input=True, confirmation_prompt=True)
    commune_obj = _find_commune(commune)
    village_obj = _find_village(commune_obj, village)
    name = name or phone
    household_id = person_id = None
    if role == Role.LEARNER:
        if village_obj is None:
            raise InvalidInput(_("A learner needs --village."))
        household = Household(village=village_obj, name=name)
        db.session.add(household)
        db.session.flush()
        household_id = household.id
    elif role in (Role.AMBASSADOR, Role.OFFICIAL):
        if commune_obj is None and village_obj is not None:
            commune_obj = village_obj.commune
        person = Person(name=name)
        db.session.add(person)
        db.session.flush()
        person_id = person.id
    account = create_account(
        phone=phone, name=name, role=role, secret=secret,
        commune_id=commune_obj.id if commune_obj else None,
        household_id=household_id, person_id=person_id,
    )
    if role == Role.LEARNER:
        learner = Person(household_id=household_id, name=name, phone=account.phone)
        db.session.add(learner)
        db.session.flush()
        from .stats.rollups import people_changed

        people_changed([learner.id])
    db.session.commit()
    click.echo(_("Created %(role)s account %(phone)s.", role=role.value, phone=account.phone))


@users_cli.command("sign-out-everywhere")
@click.option("--phone", required=True, help="The account's phone number.")
@translated
def sign_out_everywhere(phone):
    """Sign an account out on every phone and browser (a lost or sold phone)."""
    from .accounts.models import Account
    from .accounts.operations import normalise_phone
    from .accounts.sessions import end_all_sessions

    account = db.session.scalar(db.select(Account).where(Account.phone == normalise_phone(phone)))
    if account is None:
        raise InvalidInput(_("No account has this phone number."))
    count = end_all_sessions(account)
    db.session.commit()
    click.echo(_("Signed out on %(count)s devices.", count=count))


@demo_cli.command("load")
@translated
def load_demo():
    """Load the demo commune Chiềng Mung (safe to run again)."""
    from .demo import load_demo_commune

    if current_app.config["LMS_ENV"] == "production":
        raise InvalidInput(_("The demo commune is never loaded when LMS_ENV=production."))
    summary = load_demo_commune()
    click.echo(_("Demo commune loaded: %(villages)s villages, %(households)s households, "
                 "%(people)s people.", **summary))




courses_cli = AppGroup("courses", help="Course content in LMS_COURSES_DIR.")


def _read_and_report(refusal: str):
    """Read the courses, print every problem as file:line, and exit 1 if there is one."""
    from .content.catalog import read_catalog

    found = read_catalog(current_app.config["LMS_COURSES_DIR"])
    for problem in found.problems:
        click.echo(str(problem), err=True)
    for warning in found.warnings:
        click.echo(str(warning), err=True)
    if found.problems:
        click.echo(refusal % {"count": len(found.problems)}, err=True)
        sys.exit(1)
    return found


@courses_cli.command("check")
@translated
def check_courses():
    """Check every course file; print file:line problems and exit 1 if any."""
    # Translators: %(count)s is filled in later with the number of problems.
    found = _read_and_report(_("%(count)s problems found.", count="%(count)s"))
    lessons = sum(len(course.lessons) for course in found.courses.values())
    click.echo(_("%(courses)s courses and %(lessons)s lessons are correct.",
                 courses=len(found.courses), lessons=lessons))


@courses_cli.command("load")
@translated
def load_courses():
    """Check the courses and record their lessons; refuses if any file has a problem."""
    from .content.operations import store_lesson_index

    found = _read_and_report(_("Nothing was loaded: %(count)s problems found.",
                               count="%(count)s"))
    count = store_lesson_index(found)
    current_app.extensions["lms_catalog"] = found
    click.echo(_("Loaded %(courses)s courses with %(lessons)s lessons.",
                 courses=len(found.courses), lessons=count))


progress_cli = AppGroup("progress", help="The progress log and its summaries.")


@progress_cli.command("rebuild")
@translated
def rebuild_progress():
    """Recompute every lesson summary from the event log."""
    from .learning.progress import rebuild_summaries
    from .stats.rebuild import rebuild_rollups

    count = rebuild_summaries()
    click.echo(_("Rebuilt %(count)s lesson summaries from the event log.", count=count))
    rebuild_rollups()  # the figures are counted from the summaries
    click.echo(_("Recounted the commune figures."))


stats_cli = AppGroup("stats", help="The commune figures.")


@stats_cli.command("rebuild")
@translated
def rebuild_stats():
    """Recompute every figure rollup from the members, summaries and quiz answers."""
    from .stats.rebuild import rebuild_rollups

    rows = rebuild_rollups()
    click.echo(_("Recounted the commune figures: %(people)s people, %(rows)s rows.",
                 people=rows["stats_counted_member"], rows=sum(rows.values())))


translations_cli = AppGroup("translations", help="Languages of the interface and courses.")


@translations_cli.command("coverage")
@translated
def translations_coverage():
    """Per language: interface strings translated, and lessons present, draft, reviewed."""
    from .content.catalog import read_catalog
    from .content.coverage import translation_coverage
    from .narration.operations import pending_counts, published_counts

    found = read_catalog(current_app.config["LMS_COURSES_DIR"])
    header = [_("Language"), _("Interface")] + [course.slug for course in found.courses.values()]
    header.append(_("Recordings"))
    published, pending = published_counts(), pending_counts()
    rows = []
    for language in translation_coverage(found):
        row = [f"{language.code} ({language.status})", f"{language.ui_percent}%"]
        for course in language.courses:
            row.append(_("%(present)s/%(total)s (%(draft)s draft, %(reviewed)s reviewed)",
                         present=course.present, total=course.lessons, draft=course.draft,
                         reviewed=course.reviewed))
        row.append(_("%(published)s published, %(pending)s waiting",
                     published=sum(published.get(language.code, {}).values()),
                     pending=pending.get(language.code, 0)))
        rows.append(row)
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    for line in [header, *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths,
                                                                           strict=True)))
    if found.problems:
        click.echo(_("%(count)s problems found.", count=len(found.problems)), err=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@translated
def backup_database(path: Path):
    """Write a consistent copy of the database to PATH (safe while workers write)."""
    from .backup import backup

    backup(db.engine, path)
    click.echo(_("Backup written to %(path)s.", path=str(path)))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@translated
def restore_database(path: Path):
    """Restore a backup made with `db backup` into a new, empty database."""
    from .backup import restore

    restore(db.engine, path)
    click.echo(_("Restored %(path)s.", path=str(path)))


deploy_cli = AppGroup("deploy", help="Production settings.")


@deploy_cli.command("check")
@click.option("--workers", type=click.IntRange(1, 256),
              default=lambda: int(os.environ.get("WEB_CONCURRENCY", "4")),
              help="gunicorn workers per machine (default: WEB_CONCURRENCY, else 4).")
@click.option("--machines", type=click.IntRange(1, 256), default=1,
              help="Machines that serve the same database.")
@translated
def check_deployment(workers: int, machines: int):
    """Refuse unsafe production settings: one line per problem, exit 1 if any."""
    from .deploy import Deployment, problems

    found = problems(current_app, Deployment(workers=workers, machines=machines))
    for problem in found:
        click.echo(_("Problem: %(problem)s", problem=problem), err=True)
    if found:
        sys.exit(1)
    click.echo(_("The settings are safe for production."))


def init_app(app: Flask) -> None:
    from .ambassadors.cli import ambassadors_cli
    from .families.cli import cohorts_cli
    from .translating.cli import add_commands

    if "export" not in translations_cli.commands:
        add_commands(translations_cli, translated)

    for group in (users_cli, demo_cli, courses_cli, progress_cli, stats_cli,
                  translations_cli, deploy_cli, ambassadors_cli, cohorts_cli):
        app.cli.add_command(group)
    # Flask-Migrate's `db` group exists only where migrations can run (the CLI, tests).
    if "db" in app.cli.commands:
        for command in (backup_database, restore_database):
            app.cli.commands["db"].add_command(command)
