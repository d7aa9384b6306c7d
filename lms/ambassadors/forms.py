"""The ambassador's forms: households, members, consent, visits and PINs."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import Gender
from ..accounts.operations import InvalidInput, normalise_phone
from ..models_common import nfc, utcnow

NAME_LENGTH = 120
NOTE_LENGTH = 500
EARLIEST_BIRTH_YEAR = 1900


def _strip_nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _phone_or_none(form, field) -> None:
    """An optional phone number, normalised to +84 in field.data."""
    if not field.data:
        field.data = None
        return
    try:
        field.data = normalise_phone(field.data)
    except InvalidInput as error:
        raise ValidationError(str(error)) from None


def _birth_year(form, field) -> None:
    if field.data is not None and not (EARLIEST_BIRTH_YEAR <= field.data <= utcnow().year):
        raise ValidationError(_l("Type the year of birth with 4 digits, like 1985."))


GENDER_CHOICES = [(Gender.FEMALE.value, _l("Woman")), (Gender.MALE.value, _l("Man")),
                  (Gender.OTHER.value, _l("Other"))]


class MemberFields(Form):
    """One member: the same fields when registering a household and on their own page."""

    # No Optional(): it would stop the checks below, which know when a name is needed.
    name = StringField(_l("Full name"), filters=[_strip_nfc],
                       validators=[Length(max=NAME_LENGTH)])
    gender = SelectField(_l("Gender"), choices=[("", _l("Choose"))] + GENDER_CHOICES,
                         default="")
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional(), _birth_year],
                              render_kw={"inputmode": "numeric"})
    phone = StringField(_l("Own phone (if any)"), validators=[Length(max=32), _phone_or_none],
                        render_kw={"inputmode": "tel"})

    def is_blank(self) -> bool:
        return not (self.name.data or self.gender.data or self.birth_year.data
                    or self.phone.data)

    def validate_name(self, field) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError(_l("Type the member's name."))

    def validate_gender(self, field) -> None:
        if self.name.data and not field.data:
            raise ValidationError(_l("Choose a gender."))


class MemberForm(FlaskForm, MemberFields):
    """Adding or editing one member."""

    def validate_name(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Type the member's name."))


class HouseholdForm(FlaskForm):
    # Checked against the ambassador's commune by the view: another commune's id is a 404.
    village = SelectField(_l("Village"), coerce=int, validate_choice=False,
                          validators=[InputRequired(message=_l("Choose the village."))])
    name = StringField(_l("Head of household"), filters=[_strip_nfc],
                       validators=[DataRequired(message=_l("Type the name of the head of "
                                                           "the household.")),
                                   Length(max=NAME_LENGTH)])
    address_note = StringField(_l("Where the house is (a note)"), filters=[_strip_nfc],
                               validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Household phone"), validators=[Length(max=32), _phone_or_none],
                        render_kw={"inputmode": "tel"})


class RegisterHouseholdForm(HouseholdForm):
    members = FieldList(FormField(MemberFields), min_entries=2, max_entries=20)
    add_member = SubmitField(_l("Add another member"))

    def validate_members(self, field) -> None:
        if all(entry.form.is_blank() for entry in field.entries):
            raise ValidationError(_l("Add at least one member."))


class ConfirmForm(FlaskForm):
    """A button that changes state (deactivate, withdraw): only the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsentForm(FlaskForm):
    channel = RadioField(_l("Who gives consent"), choices=[
        ("self", _l("The person, on their own")),
        ("assisted", _l("The person, with me helping")),
    ], default="assisted", validators=[InputRequired(message=_l("Choose one."))])
    # Checked against the household by the view: an id from elsewhere is a 404.
    representative = SelectField(_l("Parent or guardian who agrees (for a child under 16)"),
                                 coerce=int, validate_choice=False, validators=[Optional()])
    child_agrees = BooleanField(_l("The child (7 or older) agrees too"))
    ethnicity = SelectField(_l("Ethnic group (only if they want to say)"),
                            validators=[Optional()])
    agreed = BooleanField(_l("I read the consent text aloud and they agreed"),
                          validators=[DataRequired(message=_l("Consent is recorded only "
                                                              "after they agree."))])


class VisitForm(FlaskForm):
    visited_on = DateField(_l("Date of the visit"), validators=[
        InputRequired(message=_l("Type the date of the visit."))])
    # The view and the visit check decide which ids are allowed: an id from outside the
    # household is a 404, an unknown lesson or skill a field error.
    present = MultiCheckboxField(_l("Who was there"), coerce=int, validate_choice=False,
                                 validators=[DataRequired(message=_l("Tick who was there."))])
    practised = MultiCheckboxField(_l("Lessons practised"), validate_choice=False)
    verified = MultiCheckboxField(_l("Skills seen done in person"), validate_choice=False)
    note = TextAreaField(_l("Note"), filters=[_strip_nfc],
                         validators=[Optional(), Length(max=NOTE_LENGTH)])


class PinForm(FlaskForm):
    # Empty when the family asks for one to be made for them ("make").
    pin = PasswordField(_l("New PIN (6 digits)"), validators=[Length(max=6)],
                        render_kw={"inputmode": "numeric", "autocomplete": "new-password",
                                   "maxlength": 6})

