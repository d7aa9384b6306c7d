from flask import jsonify
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.models import Account, Person
from ..auth import PUBLIC, SIGNED_IN, access, recordable_people
from ..extensions import db
from ..places.models import Commune
from . import bp


@bp.route("/health")
@access(PUBLIC)
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def account_commune(account: Account) -> Commune | None:
    if account.commune is not None:
        return account.commune
    household = account.household or (account.person.household if account.person else None)
    return household.village.commune if household else None


@bp.route("/me")
@access(SIGNED_IN)
def me():
    account = current_user
    people = db.session.scalars(recordable_people(account).order_by(Person.id)).all()
    commune = account_commune(account)
    return jsonify({
        "account": {
            "id": account.id,
            "name": account.name,
            "role": account.role.value,
            "commune": {"id": commune.id, "name": commune.name} if commune else None,
        },
        "people": [{"id": p.id, "name": p.name} for p in people],
    })
