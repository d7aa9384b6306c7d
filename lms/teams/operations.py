"""Creating and changing ambassador teams. Every change is checked first (nothing is written
on bad input), goes into the audit trail in the same transaction, and commits."""

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..accounts.models import Account, Role
from ..accounts.operations import InvalidInput
from ..extensions import db
from ..models_common import nfc
from ..places.models import Commune
from ..stats.rollups import people_of_ambassadors_changed
from .models import AmbassadorTeam, team_member

NAME_LENGTH = 120


class NameTaken(InvalidInput):
    """Another team of the commune already has this name."""

    def __init__(self):
        super().__init__(_("The commune already has a team with this name. Choose another "
                           "name."))


def clean_name(raw: str | None) -> str:
    """A team name: NFC, single spaces, 1 to 120 characters, or InvalidInput."""
    name = " ".join(nfc(raw or "").split())
    if not name:
        raise InvalidInput(_("Type the team's name."))
    if len(name) > NAME_LENGTH:
        raise InvalidInput(_("The name can be at most %(count)s characters long.",
                             count=NAME_LENGTH))
    return name


def _check_free(commune_id: int, name: str, team: AmbassadorTeam | None = None) -> None:
    """Names differing only in capital letters count as the same name (compared in Python:
    SQLite lowers only ASCII letters, and a commune has few teams)."""
    taken = {team_id for team_id, other in db.session.execute(
        select(AmbassadorTeam.id, AmbassadorTeam.name)
        .where(AmbassadorTeam.commune_id == commune_id))
        if other.casefold() == name.casefold()}
    if team is not None:
        taken.discard(team.id)
    if taken:
        raise NameTaken()


def _commit_or_name_taken() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # another request took the name between the check and now
        db.session.rollback()
        raise NameTaken() from None


def create_team(commune: Commune, name: str, created_by: Account) -> AmbassadorTeam:
    name = clean_name(name)
    _check_free(commune.id, name)
    team = AmbassadorTeam(commune_id=commune.id, name=name, created_by_id=created_by.id)
    db.session.add(team)
    db.session.flush()
    audit.record("team.created", "ambassador_team", team.id,
                 {"name": name, "commune_id": commune.id})
    _commit_or_name_taken()
    return team


def rename_team(team: AmbassadorTeam, name: str) -> None:
    name = clean_name(name)
    if name == team.name:
        return
    _check_free(team.commune_id, name, team)
    audit.record("team.renamed", "ambassador_team", team.id, {"name": [team.name, name]})
    team.name = name
    _commit_or_name_taken()


def addable_ambassadors(team: AmbassadorTeam):
    """Active ambassadors of the team's commune who are not in the team yet."""
    members = select(team_member.c.account_id).where(team_member.c.team_id == team.id)
    return (select(Account)
            .where(Account.role == Role.AMBASSADOR, Account.active.is_(True),
                   Account.commune_id == team.commune_id, Account.id.not_in(members))
            .order_by(Account.name, Account.id))


def add_member(team: AmbassadorTeam, account_id: int | None) -> Account:
    """Add one active ambassador of the team's commune; anyone else is refused."""
    account = None
    if account_id is not None:
        account = db.session.scalar(addable_ambassadors(team).where(Account.id == account_id))
    if account is None:
        raise InvalidInput(_("Choose an active ambassador of this commune who is not in the "
                             "team yet."))
    db.session.execute(insert(team_member).values(team_id=team.id, account_id=account.id))
    audit.record("team.member_added", "ambassador_team", team.id, {"account_id": account.id})
    people_of_ambassadors_changed([account.id])  # their households join the team cohort
    db.session.commit()
    db.session.expire(team, ["members"])
    return account


def remove_member(team: AmbassadorTeam, account_id: int) -> Account:
    """Take one member out of the team; their visits and progress stay as they are."""
    account = next((member for member in team.members if member.id == account_id), None)
    if account is None:
        raise InvalidInput(_("This person is not in the team."))
    db.session.execute(delete(team_member).where(team_member.c.team_id == team.id,
                                                 team_member.c.account_id == account.id))
    audit.record("team.member_removed", "ambassador_team", team.id,
                 {"account_id": account.id})
    people_of_ambassadors_changed([account.id])
    db.session.commit()
    db.session.expire(team, ["members"])
    return account
