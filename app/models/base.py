"""Column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

from app import clock


def utcnow() -> datetime:
    """Now on the clock of the current unit of work (app/clock.py)."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def ts_field(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    """A UTC timestamp column."""
    kwargs: dict[str, Any] = {"sa_type": UTCDateTime, "nullable": nullable, "index": index}
    if default_now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


class StrEnumType(TypeDecorator[Any]):
    """A StrEnum stored as its value in a VARCHAR column (no native enum types); the table
    refuses any other value with a CHECK constraint (``add_enum_checks``)."""

    impl = String(40)
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnum], length: int = 40) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum_cls(value)


def enum_field(enum_cls: type[StrEnum], *, default: Any = ..., index: bool = False,
               nullable: bool = False) -> Any:
    return Field(default=default, sa_type=StrEnumType(enum_cls), index=index, nullable=nullable)


def enum_check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def enum_check_sql(column: str, enum_cls: type[StrEnum]) -> str:
    """The condition of an enum column's CHECK constraint: one of the enum's values (NULL
    passes, as in every CHECK; NOT NULL is the column's own rule)."""
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    return f"{column} IN ({values})"


def add_enum_checks(metadata: MetaData) -> None:
    """Gives every enum column a CHECK constraint naming its values, so the database refuses
    a value the code does not know. A new enum value needs a migration that widens it."""
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, StrEnumType):
                name = enum_check_name(table.name, column.name)
                if not any(c.name == name for c in table.constraints):
                    table.append_constraint(CheckConstraint(
                        enum_check_sql(column.name, column.type.enum_cls), name=name))
