"""Recording consent and visits as an ambassador would, for the field-work tests."""

import uuid

from lms.ambassadors.consent import give_consent
from lms.ambassadors.models import ConsentChannel
from lms.ambassadors.visits import local_today

from .conftest import csrf_from


def consent_all(household, ambassador) -> None:
    for member in household.members:
        give_consent(member, ambassador, channel=ConsentChannel.ASSISTED,
                     representative_id=None, child_agreed=False, ethnicity=None)


def visit(of, **fields) -> dict:
    members = [m.id for m in of.members]
    return {"id": str(uuid.uuid4()), "household": of.id,
            "date": local_today().isoformat(), "present": members[:2],
            "practised": [{"course": "public-services", "lesson": "activate-level-2"}],
            "verified": [{"person": members[0], "course": "public-services",
                          "skill": "vneid-level2-activated"}],
            "note": "Bà Ơn tự kích hoạt được.", **fields}


def post_visits(client, visits, token: str | None = None, lang: str = "vi"):
    token = token or csrf_from(client, "/ambassador/")
    return client.post(f"/api/v1/visits?lang={lang}", json={"visits": visits},
                       headers={"X-CSRFToken": token})
