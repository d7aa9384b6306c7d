"""The forms of community classes and events: the event, the search, the walk-in."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import Gender
from ..models_common import nfc, utcnow
from .models import EventKind

TITLE_LENGTH = 200
NAME_LENGTH = 120
EARLIEST_BIRTH_YEAR = 1900

KIND_CHOICES = [(EventKind.CLASS.value, _l("Community class")),
                (EventKind.LEARNING_DAY.value, _l("National Digital Learning Day")),
                (EventKind.TRAINING.value, _l("Training course"))]
GENDER_CHOICES = [(Gender.FEMALE.value, _l("Woman")), (Gender.MALE.value, _l("Man")),
                  (Gender.OTHER.value, _l("Other"))]


def kind_label(kind) -> str:
    value = getattr(kind, "value", kind)
    return str(dict(KIND_CHOICES).get(value, value))


def _strip_nfc(value):
    return nfc(value) if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        if self.data and any(value not in dict(self.choices) for value in self.data):
            raise ValidationError(self.gettext("Not a valid choice."))


class EventForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip_nfc], validators=[
        DataRequired(message=_l("Type the title of the event.")), Length(max=TITLE_LENGTH)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES,
                       validators=[InputRequired(message=_l("Choose the kind of event."))])
    held_on = DateField(_l("Date"), validators=[
        InputRequired(message=_l("Type the day of the event, like 2026-10-10."))])
    place = StringField(_l("Place"), filters=[_strip_nfc], validators=[
        DataRequired(message=_l("Type where it is held, e.g. the village cultural house.")),
        Length(max=TITLE_LENGTH)])
    # Checked against the caller's commune by the view: another commune's id is refused.
    village = SelectField(_l("Village (leave empty for the whole commune)"), coerce=str,
                          validate_choice=False, default="")
    courses = MultiCheckboxField(_l("Courses it covers"))

    def __init__(self, *args, villages=(), courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [("", _l("The whole commune"))] + [
            (str(v.id), v.name) for v in villages]
        self.courses.choices = list(courses)

    def validate_village(self, field) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a village of your commune."))

    def validate_held_on(self, field) -> None:
        if field.data and field.data.year < 2024:
            raise ValidationError(_l("This date is too long ago."))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search writes nothing

    q = StringField(_l("Name"), filters=[_strip_nfc], validators=[Length(max=NAME_LENGTH)])


class MarkForm(FlaskForm):
    person = IntegerField(validators=[InputRequired()])
    mark = StringField(validators=[Optional(), Length(max=36)])


class ConfirmForm(FlaskForm):
    """A button that changes state (unmark): only the CSRF token."""


class WalkInForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[_strip_nfc], validators=[
        DataRequired(message=_l("Type the person's name.")), Length(max=NAME_LENGTH)])
    gender = SelectField(_l("Gender"), choices=[("", _l("Choose"))] + GENDER_CHOICES,
                         default="", validate_choice=False)
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional()],
                              render_kw={"inputmode": "numeric"})
    village = SelectField(_l("Village"), coerce=str, validate_choice=False, default="")
    household = SelectField(_l("Household (if they have one here)"), coerce=str,
                            validate_choice=False, default="")

    def __init__(self, *args, villages=(), households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [("", _l("Choose"))] + [(str(v.id), v.name) for v in villages]
        self.household.choices = [("", _l("None: make a new household for them"))] + [
            (str(h.id), f"{h.name} · {h.village.name}") for h in households]

    def validate_gender(self, field) -> None:
        if field.data not in {value for value, _label in GENDER_CHOICES}:
            raise ValidationError(_l("Choose a gender."))

    def validate_birth_year(self, field) -> None:
        if field.data is not None and not (EARLIEST_BIRTH_YEAR <= field.data <= utcnow().year):
            raise ValidationError(_l("Type the year of birth with 4 digits, like 1985."))

    def validate_village(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the village."))
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a village of your commune."))

    def validate_household(self, field) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the households shown."))
