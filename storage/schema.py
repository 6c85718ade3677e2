"""What tables, columns, indexes and constraints a database holds, asked of either engine.

``copy`` walks the tables parents first; a test holds the two engines' schemas
to each other after every migration. The version table is bookkeeping, not data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.engine import Connection

VERSION_TABLE = "hotleads_schema"
"""PostgreSQL's count of migrations run (SQLite's is ``PRAGMA user_version``)."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer hotleads than this one."""

    @classmethod
    def at(cls, current: int, known: int) -> SchemaTooNew:
        return cls(
            f"The database is at schema version {current}, but this hotleads only knows "
            f"{known}: run a newer hotleads or restore a backup."
        )


FAMILIES = {
    "integer": "integer",
    "bigint": "integer",
    "text": "text",
    "real": "real",
    "double precision": "real",
}


@dataclass(frozen=True)
class Column:
    name: str
    family: str
    not_null: bool
    primary_key: bool


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    parents: frozenset[str]
    indexes: frozenset[str]
    checks: int
    uniques: frozenset[tuple[str, ...]]


async def tables(conn: Connection) -> dict[str, Table]:
    if conn.dialect.name == "postgres":
        return await _postgres(conn)
    return await _sqlite(conn)


def parents_first(found: dict[str, Table]) -> list[str]:
    """Table names so that every table comes after the tables its rows point to."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for parent in sorted(found[name].parents - {name}):
            visit(parent)
        ordered.append(name)

    for name in sorted(found):
        visit(name)
    return ordered


async def _sqlite(conn: Connection) -> dict[str, Table]:
    found = {}
    rows = await conn.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for name, sql in rows:
        info = await conn.fetchall(
            'SELECT name, type, "notnull", pk FROM pragma_table_info(?)', (name,)
        )
        columns = tuple(
            Column(c[0], FAMILIES[c[1].lower()], bool(c[2]) or bool(c[3]), bool(c[3])) for c in info
        )
        keys = await conn.fetchall('SELECT "table" FROM pragma_foreign_key_list(?)', (name,))
        indexes = await conn.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (name,),
        )
        uniques = set()
        for index_name, unique, origin in await conn.fetchall(
            'SELECT name, "unique", origin FROM pragma_index_list(?)', (name,)
        ):
            if unique and origin == "u":
                cols = await conn.fetchall("SELECT name FROM pragma_index_info(?)", (index_name,))
                uniques.add(tuple(c[0] for c in cols))
        found[name] = Table(
            name,
            columns,
            frozenset(k[0] for k in keys),
            frozenset(i[0] for i in indexes),
            len(re.findall(r"\bCHECK\s*\(", sql, re.IGNORECASE)),
            frozenset(uniques),
        )
    return found


async def _postgres(conn: Connection) -> dict[str, Table]:
    found = {}
    names = await conn.fetchall(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name != ?",
        (VERSION_TABLE,),
    )
    for (name,) in names:
        info = await conn.fetchall(
            "SELECT c.column_name, c.data_type, c.is_nullable = 'NO',"
            " EXISTS (SELECT 1 FROM information_schema.key_column_usage k"
            " JOIN information_schema.table_constraints t USING (constraint_schema, constraint_name)"
            " WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema"
            " AND k.table_name = c.table_name AND k.column_name = c.column_name)"
            " FROM information_schema.columns c"
            " WHERE c.table_schema = current_schema() AND c.table_name = ?"
            " ORDER BY c.ordinal_position",
            (name,),
        )
        columns = tuple(Column(c[0], FAMILIES[c[1]], bool(c[2]), bool(c[3])) for c in info)
        constraints = await conn.fetchall(
            "SELECT contype, confrelid::regclass::text,"
            " ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY AS k(n, i)"
            " JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i)"
            " FROM pg_constraint WHERE conrelid = CAST(? AS regclass)",
            (name,),
        )
        indexes = await conn.fetchall(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = CAST(? AS regclass) AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            (name,),
        )
        found[name] = Table(
            name,
            columns,
            frozenset(c[1] for c in constraints if c[0] == "f"),
            frozenset(i[0] for i in indexes),
            sum(1 for c in constraints if c[0] == "c"),
            frozenset(tuple(c[2]) for c in constraints if c[0] == "u"),
        )
    return found
