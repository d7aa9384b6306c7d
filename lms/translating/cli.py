"""`flask translations export` and `flask translations import`."""

import click
from flask_babel import gettext as _

from .. import audit
from ..accounts.operations import InvalidInput
from ..extensions import db
from .files import export, import_files
from .pieces import community_languages


def _languages(language: str | None) -> list[str] | None:
    if language is None:
        return None
    if language not in community_languages():
        raise InvalidInput(_("Unknown community language %(code)s: use one of %(codes)s.",
                             code=language, codes=", ".join(community_languages())))
    return [language]


def add_commands(group: click.Group, translated) -> None:
    @group.command("export")
    @click.option("--language", default=None, help="Only this language (e.g. blt).")
    @translated
    def export_command(language):
        """Write saved translations into the lesson files and .po catalogs."""
        outcome = export(_languages(language))
        audit.record("translations.exported", "content", 0,
                     {"files": len(outcome.written)})
        db.session.commit()
        for path in outcome.written:
            click.echo(path)
        click.echo(_("%(count)s files written. Compile the catalogs (pybabel compile) and "
                     "load the courses (flask courses load) to check them.",
                     count=len(outcome.written)))

    @group.command("import")
    @click.option("--language", default=None, help="Only this language (e.g. blt).")
    @translated
    def import_command(language):
        """Read changed translation files in; a newer browser edit is kept and listed."""
        outcome = import_files(_languages(language))
        audit.record("translations.imported", "content", 0,
                     {"imported": outcome.imported, "conflicts": len(outcome.conflicts)})
        db.session.commit()
        for where in outcome.conflicts:
            click.echo(_("Conflict, the browser's newer text is kept: %(where)s",
                         where=where))
        click.echo(_("%(count)s pieces imported, %(conflicts)s conflicts.",
                     count=outcome.imported, conflicts=len(outcome.conflicts)))
