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
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
