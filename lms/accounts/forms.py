from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    phone = StringField(
        _l("Phone number"),
        validators=[DataRequired(message=_l("Type your phone number.")), Length(max=32)],
        render_kw={"inputmode": "tel", "autocomplete": "username", "autocapitalize": "off",
                   "autocorrect": "off", "spellcheck": "false"},
    )
    secret = PasswordField(
        _l("PIN or password"),
        validators=[DataRequired(message=_l("Type your PIN or password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password", "autocapitalize": "off",
                   "autocorrect": "off", "spellcheck": "false"},
    )
    next = HiddenField()


class PickPersonForm(FlaskForm):
    person = IntegerField(validators=[DataRequired()])


class LanguageForm(FlaskForm):
    lang = StringField(validators=[DataRequired(), Length(max=16)])
    next = HiddenField()
