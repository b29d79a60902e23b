"""SQL for migrations that add, widen or drop enum columns' CHECK constraints.

PostgreSQL changes a constraint in place. SQLite cannot, so a table is rebuilt as SQLite
describes it: a new table from the stored CREATE TABLE with the constraints changed, the rows
copied, the old table dropped, the new one renamed, its indexes and triggers created again.
Alembic runs SQLite migrations with foreign keys off and checks them before committing
(alembic/env.py). Table and column names come from the migrations themselves, never from data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from alembic import op
from sqlalchemy import text

Values = Sequence[str]


def check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def condition(column: str, values: Values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def refuse_unknown_values(enums: Mapping[str, Mapping[str, Values]]) -> None:
    """Stops the migration, naming table, column and values, when a stored value is outside
    the values its constraint will allow."""
    conn = op.get_bind()
    found = []
    for table, columns in enums.items():
        for column, values in columns.items():
            rows = conn.execute(text(
                f"SELECT DISTINCT {column} FROM {table} "  # noqa: S608 (the migration's names)
                f"WHERE {column} IS NOT NULL AND NOT ({condition(column, values)})"
            )).scalars().all()
            if rows:
                found.append(f"{table}.{column}: {', '.join(sorted(map(str, rows)))}")
    if found:
        raise RuntimeError("Values outside their enum; correct them before upgrading: "
                           + "; ".join(found))


def create_sql(table: str) -> str:
    return str(op.get_bind().execute(text(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one())


def rebuild_sqlite(table: str, create: str) -> None:
    """Rebuilds one SQLite table as ``create`` says (SQLite's own recipe for a changed
    table)."""
    conn = op.get_bind()
    extras = conn.execute(text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name"), {"t": table}).scalars().all()
    new = f"_new_{table}"
    body = create[create.index("(") + 1:create.rindex(")")]
    conn.execute(text(f'CREATE TABLE "{new}" ({body})'))
    conn.execute(text(f'INSERT INTO "{new}" SELECT * FROM "{table}"'))  # noqa: S608
    conn.execute(text(f'DROP TABLE "{table}"'))
    conn.execute(text(f'ALTER TABLE "{new}" RENAME TO "{table}"'))
    for sql in extras:
        conn.execute(text(sql))


def with_checks(create: str, checks: list[str]) -> str:
    end = create.rindex(")")
    return create[:end] + "".join(f", {c}" for c in checks) + create[end:]


def without_check(create: str, name: str) -> str:
    found = re.search(rf",\s*CONSTRAINT\s+{re.escape(name)}\s+CHECK\s*\(", create)
    if found is None:
        raise ValueError(name)
    start = found.start()
    depth = 0
    for end in range(found.end() - 1, len(create)):
        depth += {"(": 1, ")": -1}.get(create[end], 0)
        if depth == 0:
            return create[:start] + create[end + 1:]
    raise ValueError(name)


def set_checks(table: str, drop: Sequence[str], add: Mapping[str, Values]) -> None:
    """Drops the CHECK constraints of the columns in ``drop`` and adds one per column in
    ``add`` (a column in both has its allowed values replaced)."""
    refuse_unknown_values({table: add})
    if is_sqlite():
        create = create_sql(table)
        for column in drop:
            create = without_check(create, check_name(table, column))
        rebuild_sqlite(table, with_checks(create, [
            f"CONSTRAINT {check_name(table, column)} CHECK ({condition(column, values)})"
            for column, values in add.items()]))
        return
    for column in drop:
        op.drop_constraint(check_name(table, column), table, type_="check")
    for column, values in add.items():
        op.create_check_constraint(check_name(table, column), table, condition(column, values))
