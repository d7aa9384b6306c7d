"""The audit trail: append-only entries of who changed what, with sensitive values hidden."""

from lms import audit
from lms.accounts.models import Person
from lms.extensions import db


def test_an_entry_records_who_what_which_object_and_the_changed_fields(app, world):
    person = world["mine"].members[0]
    before = audit.snapshot(person, ("name", "birth_year"))
    person.name, person.birth_year = "Lò Thị Ơn", 1976
    changes = audit.differences(before, audit.snapshot(person, ("name", "birth_year")))
    audit.record("person.changed", "person", person.id, changes,
                 account_id=world["ambassador"].id)
    db.session.commit()
    [entry] = audit.history("person", person.id)
    assert entry.account_id == world["ambassador"].id
    assert entry.changes == {"name": ["Lò Thị A", "Lò Thị Ơn"], "birth_year": [1980, 1976]}
    assert entry.at is not None and entry.action == "person.changed"


def test_unchanged_fields_are_left_out_and_sensitive_ones_hidden(app):
    changes = audit.differences({"a": 1, "ethnicity": "thai", "b": "x"},
                                {"a": 1, "ethnicity": None, "b": "y"},
                                sensitive=frozenset({"ethnicity"}))
    assert changes == {"ethnicity": [audit.REDACTED, audit.REDACTED], "b": ["x", "y"]}


def test_history_is_newest_first_and_only_for_its_object(app, world):
    first, second = world["mine"].members[:2]
    audit.record("person.added", "person", first.id, {})
    audit.record("person.changed", "person", first.id, {"name": ["a", "b"]})
    audit.record("person.added", "person", second.id, {})
    db.session.commit()
    assert [e.action for e in audit.history("person", first.id)] == ["person.changed",
                                                                       "person.added"]
    assert db.session.get(Person, second.id) is not None
