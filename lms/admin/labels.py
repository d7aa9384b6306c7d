"""Words for the audit trail's action names, shown on the admin's pages."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in.refused": _l("Sign-in refused"),
    "sign_in.second_factor_refused": _l("Wrong second-factor code"),
    "sign_in.recovery_code_used": _l("Recovery code used"),
    "access.refused": _l("Access refused"),
    "second_factor.enabled": _l("Second factor turned on"),
    "second_factor.disabled": _l("Second factor turned off"),
    "second_factor.recovery_codes_renewed": _l("New recovery codes"),
    "second_factor.requirement_changed": _l("Second factor requirement changed"),
    "commune.created": _l("Commune added"),
    "commune.renamed": _l("Commune renamed"),
    "commune.merged": _l("Commune merged into another"),
    "commune.deactivated": _l("Commune deactivated"),
    "commune.reactivated": _l("Commune made active again"),
    "village.created": _l("Village added"),
    "village.renamed": _l("Village renamed"),
    "village.moved": _l("Village moved to another commune"),
    "village.deactivated": _l("Village deactivated"),
    "village.reactivated": _l("Village made active again"),
    "villages.imported": _l("Villages imported"),
    "household.moved": _l("Household moved to another village"),
    "account.moved": _l("Account moved to another commune"),
    "account.created": _l("Account created"),
    "account.deactivated": _l("Account deactivated"),
    "account.reactivated": _l("Account made active again"),
    "account.secret_reset": _l("Temporary password given"),
    "account.secret_changed": _l("Password changed"),
    "account.signed_out_everywhere": _l("Signed out on every device"),
    "assignment.added": _l("Household given to an ambassador"),
    "assignment.removed": _l("Household taken back from an ambassador"),
    "household.registered": _l("Household registered"),
    "household.changed": _l("Household changed"),
    "household.deactivated": _l("Household deactivated"),
    "household.activated": _l("Household made active again"),
    "household.pin_set": _l("Household PIN set"),
    "person.added": _l("Person added"),
    "person.changed": _l("Person changed"),
    "person.deactivated": _l("Person deactivated"),
    "person.activated": _l("Person made active again"),
    "person.pin_set": _l("Own PIN set"),
    "consent.given": _l("Consent recorded"),
    "consent.withdrawn": _l("Consent withdrawn"),
    "person.exported": _l("Person's data exported"),
    "person.deleted": _l("Person's data deleted"),
    "language_grant.granted": _l("May translate in a language"),
    "language_grant.changed": _l("Review permission changed"),
    "language_grant.revoked": _l("May no longer translate in a language"),
    "translation.saved": _l("Translation saved as a draft"),
    "translation.reviewed": _l("Translation marked reviewed"),
    "translations.imported": _l("Translations imported from the files"),
    "translations.exported": _l("Translations written to the files"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


OBJECT_LABELS = {
    "account": _l("account"), "person": _l("person"), "household": _l("household"),
    "village": _l("village"), "commune": _l("commune"), "page": _l("page"),
    "province": _l("province"), "setting": _l("setting"), "visit": _l("visit"),
    "lesson_progress": _l("lesson results"), "progress_event": _l("learning steps"),
    "certificate": _l("certificates"), "consent": _l("consent records"),
    "audit_entry": _l("audit entries"),
}


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))
