"""Copying every workspace's data from one database to another, SQLite to PostgreSQL or back.

Every table is copied whole, parents first, into the target in one
transaction: a failure leaves the target as it was. Both databases must be at
this hotleads' schema version (the target is migrated when opened). A target
that holds anything is refused unless ``force``, which empties it first. At
the end, every table's rows are counted on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage import schema
from storage.db import Database, migrations, schema_version
from storage.engine import Connection
from storage.progress import Advance, Progress, quiet

PAGE = 1000


class CopyRefused(RuntimeError):
    """The copy can't start, or its counts did not match; the message says why."""


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


async def _counts(conn: Connection, names: list[str]) -> dict[str, int]:
    found = {}
    for name in names:
        row = await conn.fetchone(f"SELECT count(*) FROM {name}")
        assert row is not None
        found[name] = int(row[0])
    return found


async def copy(
    source: Database, target: Database, *, force: bool = False, progress: Progress = quiet
) -> Copied:
    known = len(migrations())
    if (version := await schema_version(source.reader)) != known:
        raise CopyRefused(
            f"{source.address} is at schema version {version}, this hotleads at {known}: "
            "run `python -m bot migrate` on it first (with DATABASE_URL pointing there)."
        )
    names = schema.parents_first(await schema.tables(source.reader))
    target_names = set(await schema.tables(target.reader))
    if missing := set(names) - target_names:
        raise CopyRefused(f"{target.address} lacks tables {sorted(missing)}.")
    held = {name: n for name, n in (await _counts(target.reader, names)).items() if n}
    if held and not force:
        raise CopyRefused(
            f"{target.address} is not empty ({', '.join(f'{n} {t}' for t, n in held.items())}): "
            "pass --force to replace what it holds."
        )
    expected = await _counts(source.reader, names)
    with progress("copying", sum(expected.values())) as advance:
        async with target.transaction() as out:
            for name in reversed(names):
                await out.execute(f"DELETE FROM {name}")
            for name in names:
                await _copy_table(source.reader, out, name, advance)
    copied = await _counts(target.reader, names)
    if copied != expected:
        wrong = {t: (expected[t], copied[t]) for t in names if expected[t] != copied[t]}
        raise CopyRefused(
            f"counts differ after the copy (source, target): {wrong}; was a server writing to "
            "the source? Stop it and copy again with --force."
        )
    return Copied(copied)


async def _copy_table(source: Connection, out: Connection, name: str, advance: Advance) -> None:
    columns: list[str] | None = None
    async for page in source.pages(f"SELECT * FROM {name}", (), PAGE):
        if columns is None:
            columns = list(page[0].keys())
            insert = (
                f"INSERT INTO {name} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})"
            )
        await out.executemany(insert, [tuple(row) for row in page])
        advance(len(page))
    if out.dialect.name == "postgres" and columns and "id" in columns:
        # Rows came with their ids: an identity column carries on after the largest.
        sequence = await out.fetchone("SELECT pg_get_serial_sequence(?, 'id')", (name,))
        if sequence and sequence[0]:
            await out.execute(f"SELECT setval(?, (SELECT max(id) FROM {name}))", (sequence[0],))
