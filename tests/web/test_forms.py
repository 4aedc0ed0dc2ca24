"""The base form of the web side: a refusal of the booking rules lands on the form's fields."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired

from clinic.kernel.errors import Invalid
from clinic.web.forms import Form


class VisitForm(Form):
    worker = StringField("Specialist")
    start_time = StringField("Start", validators=[DataRequired()])


def test_a_refusal_lands_on_its_fields(app):
    """Does each message of a domain Invalid go to the field of that name, or of the name the
    mapping gives, and one about no field of the form above the form?"""
    with app.test_request_context(method="POST", data={"start_time": "10:00"}):
        form = VisitForm(meta={"csrf": False})
        assert form.validate()
        form.show_refusal(
            Invalid(
                {
                    "specialist": "There is no specialist 7.",
                    "start_time": "That time is taken.",
                    "date": "The clinic is closed that day.",
                }
            ),
            {"specialist": "worker"},
        )
    assert form.worker.errors == ["There is no specialist 7."]
    assert form.start_time.errors == ["That time is taken."]
    assert form.form_errors == ["The clinic is closed that day."]


def test_a_refusal_keeps_the_forms_own_messages(app):
    """Does a refusal add to the messages the form's own checks found, not replace them?"""
    with app.test_request_context(method="POST", data={}):
        form = VisitForm(meta={"csrf": False})
        assert not form.validate()
        form.show_refusal(Invalid({"start_time": "Pick a time on the grid."}))
    assert form.start_time.errors == ["This field is required.", "Pick a time on the grid."]
