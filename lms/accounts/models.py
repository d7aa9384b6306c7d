"""People, the accounts they sign in with, and ambassador ↔ household assignments."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..models_common import nfc, utcnow
from ..places.models import Commune, Household


class Role(enum.StrEnum):
    LEARNER = "learner"
    AMBASSADOR = "ambassador"
    OFFICIAL = "official"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.AMBASSADOR, Role.OFFICIAL, Role.ADMIN})


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


ambassador_assignment = Table(
    "ambassador_assignment",
    db.metadata,
    Column("account_id", ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    Column("household_id", ForeignKey("household.id", ondelete="CASCADE"), primary_key=True),
    Column("assigned_at", DateTime(timezone=True), default=utcnow, nullable=False),
)


class Person(db.Model):
    """Someone who learns. Only what the statistics need: gender, birth year, village."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[Gender | None] = mapped_column(
        Enum(Gender, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    phone: Mapped[str | None] = mapped_column(String(20))
    # A member who moved away or died is deactivated, never deleted.
    active: Mapped[bool] = mapped_column(default=True)
    # The language this person chose on a household's shared phone: each member keeps
    # their own (a personal account keeps it on the account).
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    household: Mapped[Household | None] = relationship(back_populates="members")
    account: Mapped["Account | None"] = relationship(back_populates="person")

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)

    @property
    def initials(self) -> str:
        """Two letters for an avatar: family name and given name (which comes last)."""
        parts = self.name.split()
        if not parts:
            return "?"
        return (parts[0][0] + parts[-1][0] if len(parts) > 1 else parts[0][0]).upper()

    @property
    def first_name(self) -> str:
        return self.name.split()[-1] if self.name else ""


class Account(UserMixin, db.Model):
    """A way to sign in: a phone number and a secret, with a role and a scope."""

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])
    )
    # Officials and ambassadors belong to one commune; admins see the province.
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"), index=True)
    # A household login (the shared phone) acts for every member of its household.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    # A personal account (a learner's own, or a staff member's) is one person.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when an admin gives a temporary secret: the next sign-in must choose a new one.
    must_change_secret: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    commune: Mapped[Commune | None] = relationship()
    household: Mapped[Household | None] = relationship()
    person: Mapped[Person | None] = relationship(back_populates="account")
    assigned_households: Mapped[list[Household]] = relationship(
        secondary=ambassador_assignment, order_by=Household.id
    )

    @validates("name")
    def _normalise(self, key: str, value: str) -> str:
        return nfc(value)

    # The signed-in device this request came from (set by the session loader, never
    # stored on the account): Flask-Login puts it in the session and the remember cookie.
    device_token = ""

    def get_id(self) -> str:
        return f"{self.id}:{self.device_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_household_login(self) -> bool:
        return self.role == Role.LEARNER and self.household_id is not None


class SignInThrottle(db.Model):
    """Failed sign-ins per account and per device, for a progressive delay (never a lockout)."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignedInDevice(db.Model):
    """One phone or browser signed in to an account. Its cookies carry a random token and
    are accepted only while this row exists: signing out removes it, "sign out
    everywhere" and a secret change remove every row of the account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    # SHA-256 of the token: a copy of the table lets nobody sign in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    account: Mapped[Account] = relationship()
