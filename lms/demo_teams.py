"""The demo commune's Digital Ambassador team: both demo ambassadors, trained together.
Found by its name before it is made, so loading twice changes nothing."""

from sqlalchemy import insert, select

from .accounts.models import Account, Role
from .extensions import db
from .places.models import Commune
from .teams.models import AmbassadorTeam, team_member

TEAM_NAME = "Đại sứ số Chiềng Mung 2026"


def load_demo_team(commune: Commune, phones: list[str]) -> AmbassadorTeam:
    """The team, holding the demo ambassadors (by phone) and nobody else."""
    team = db.session.scalar(select(AmbassadorTeam).where(
        AmbassadorTeam.commune_id == commune.id, AmbassadorTeam.name == TEAM_NAME))
    if team is None:
        official = db.session.scalar(select(Account.id).where(
            Account.role == Role.OFFICIAL, Account.commune_id == commune.id)
            .order_by(Account.id))
        team = AmbassadorTeam(commune_id=commune.id, name=TEAM_NAME, created_by_id=official)
        db.session.add(team)
        db.session.flush()
    members = set(db.session.scalars(select(team_member.c.account_id)
                                     .where(team_member.c.team_id == team.id)))
    for account_id in db.session.scalars(select(Account.id).where(
            Account.role == Role.AMBASSADOR, Account.commune_id == commune.id,
            Account.phone.in_(phones)).order_by(Account.id)):
        if account_id not in members:
            db.session.execute(insert(team_member).values(team_id=team.id,
                                                          account_id=account_id))
    db.session.commit()
    return team
