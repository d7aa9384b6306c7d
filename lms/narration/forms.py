"""The reviewer's form: publish, or send back with a reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from .operations import NOTE_LIMIT, REJECT_REASONS


class ReviewForm(FlaskForm):
    # Checked against REJECT_REASONS by operations.decide (publishing needs none).
    reason = SelectField(_l("Why send it back?"), validate_choice=False,
                         choices=[("", _l("Choose a reason…")), *REJECT_REASONS.items()])
    note = TextAreaField(_l("Note for the narrator (optional)"), validators=[
        Optional(), Length(max=NOTE_LIMIT, message=_l("At most %(max)d characters."))])
    publish = SubmitField(_l("Publish"))
    reject = SubmitField(_l("Send back"))
