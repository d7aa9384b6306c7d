"""Geography: Province → Commune → Village → Household (a Digital Family cohort)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..models_common import nfc, utcnow


class Province(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    communes: Mapped[list["Commune"]] = relationship(back_populates="province")

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)


class Commune(db.Model):
    """A commune-level unit (xã or phường); Vietnam has no districts since 2025."""

    __table_args__ = (UniqueConstraint("province_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default="xa")  # xa | phuong
    # The state's code of the unit (mã đơn vị hành chính), when known.
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # A merged or dissolved commune is deactivated, never deleted: history points at it.
    active: Mapped[bool] = mapped_column(default=True)

    province: Mapped[Province] = relationship(back_populates="communes")
    villages: Mapped[list["Village"]] = relationship(
        back_populates="commune", order_by="Village.name"
    )

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)


class Village(db.Model):
    """A bản, tiểu khu or tổ dân phố."""

    __table_args__ = (UniqueConstraint("commune_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # ban | tieu_khu | to_dan_pho (places.operations.VILLAGE_KINDS)
    kind: Mapped[str] = mapped_column(String(12), default="ban")
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    commune: Mapped[Commune] = relationship(back_populates="villages")
    households: Mapped[list["Household"]] = relationship(back_populates="village")

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)


class Household(db.Model):
    """A Digital Family cohort: the people who share a home and often one phone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # the head of the household
    address_note: Mapped[str | None] = mapped_column(String(200))
    # The household's phone, +84; the household login (if any) signs in with it.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Deactivated, never deleted: visits and progress keep pointing at it.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    village: Mapped[Village] = relationship(back_populates="households")
    members: Mapped[list["Person"]] = relationship(  # noqa: F821
        back_populates="household", order_by="Person.id"
    )

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)


class FormerPlaceName(db.Model):
    """A name a commune or village had before a rename, so that old names stay findable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
