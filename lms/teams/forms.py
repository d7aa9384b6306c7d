"""The team forms: a name (and, for an admin, the commune), and adding one member."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..models_common import nfc
from .operations import NAME_LENGTH


def _strip_nfc(value):
    return " ".join(nfc(value).split()) if isinstance(value, str) else value


def as_id(value) -> int | None:
    """A posted id, or None for anything that is not one (the view says what to do)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TeamForm(FlaskForm):
    name = StringField(
        _l("Team name"), filters=[_strip_nfc],
        validators=[DataRequired(message=_l("Type the team's name.")),
                    Length(max=NAME_LENGTH, message=_l(
                        "The name can be at most %(max)d characters long."))])


class NewTeamForm(TeamForm):
    # Only an admin chooses; an official's team is always of their own commune.
    commune = SelectField(_l("Commune"), coerce=as_id, validate_choice=False,
                          validators=[InputRequired(message=_l("Choose the commune."))])


class AddMemberForm(FlaskForm):
    # Checked again when adding: only an active ambassador of the team's commune.
    account = SelectField(_l("Ambassador"), coerce=as_id, validate_choice=False,
                          validators=[InputRequired(message=_l(
                              "Choose an active ambassador of this commune who is not in "
                              "the team yet."))])


class RemoveMemberForm(FlaskForm):
    """A remove button: only the CSRF token."""
