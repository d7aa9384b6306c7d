"""Forms of the province admin's pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..places.operations import COMMUNE_KINDS, VILLAGE_KINDS

NAME_REQUIRED = DataRequired(message=_l("Type a name."))
NAME_LENGTH = Length(max=120, message=_l("At most %(max)d characters."))
CODE_LENGTH = Length(max=20, message=_l("At most %(max)d characters."))


class CommuneForm(FlaskForm):
    name = StringField(_l("Name"), validators=[NAME_REQUIRED, NAME_LENGTH])
    kind = SelectField(_l("Kind"), choices=list(COMMUNE_KINDS.items()), default="xa",
                       validate_choice=True)
    code = StringField(_l("Code (optional)"), validators=[Optional(), CODE_LENGTH])


class VillageForm(FlaskForm):
    name = StringField(_l("Name"), validators=[NAME_REQUIRED, NAME_LENGTH])
    kind = SelectField(_l("Kind"), choices=list(VILLAGE_KINDS.items()), default="ban",
                       validate_choice=True)
    code = StringField(_l("Code (optional)"), validators=[Optional(), CODE_LENGTH])


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[NAME_REQUIRED, NAME_LENGTH])


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=int, validate_choice=True,
                         validators=[DataRequired(message=_l("Choose a commune."))])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token is needed."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"),
                     validators=[FileRequired(message=_l("Choose a file to upload."))])


class StaffForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[NAME_REQUIRED, NAME_LENGTH])
    phone = StringField(_l("Phone number"), validators=[
        DataRequired(message=_l("Type the phone number.")), Length(max=32)],
        render_kw={"inputmode": "tel", "type": "tel"})
    role = SelectField(_l("Role"), validate_choice=True)
    commune = SelectField(_l("Commune"), coerce=int, validate_choice=True)


class ChooseForm(FlaskForm):
    """One choice from a list set by the view (a household, a village, an ambassador)."""

    choice = SelectField(coerce=int, validate_choice=True,
                         validators=[DataRequired(message=_l("Choose one from the list."))])
