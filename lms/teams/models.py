"""Digital Ambassador teams: named groups of one commune's ambassadors, trained together."""

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..accounts.models import Account
from ..extensions import db
from ..models_common import nfc, utcnow
from ..places.models import Commune

team_member = Table(
    "team_member",
    db.metadata,
    Column("team_id", ForeignKey("ambassador_team.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ForeignKey("account.id", ondelete="CASCADE"), primary_key=True,
           index=True),
    Column("added_at", DateTime(timezone=True), default=utcnow, nullable=False),
)


class AmbassadorTeam(db.Model):
    __tablename__ = "ambassador_team"
    __table_args__ = (UniqueConstraint("commune_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    commune: Mapped[Commune] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    members: Mapped[list[Account]] = relationship(secondary=team_member,
                                                  order_by=Account.name)

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)
