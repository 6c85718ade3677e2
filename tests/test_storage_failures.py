"""A database that can't be opened or written stops hotleads at once, in one sentence.

Each case runs the real ``python -m bot`` in a mount namespace of its own
(``unshare -m``), where its database folder is a read-only bind mount or a small
tmpfs the test fills, so nothing outside the process sees the mounts. Without the
right to mount (not root), those cases are skipped, saying why. PostgreSQL cases
need no mount: a port nobody listens on, a server that never answers, and a
server that goes away while hotleads runs (through a proxy the test closes).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from bot_process import BotProcess
from conftest import SIGNING_SECRET, TEAM, bot_env, every_lead, fresh_schema, reply_text
from slack_requests import SlackSender
from test_faults import free_port

from storage import leads
from storage.db import Database, storage_failure

STOPS_WITHIN = 5.0
"""Seconds the app may take to give up, on top of what Python takes to load it (below)."""
COULD_NOT_SAVE = "Couldn't save, nothing changed"


@functools.cache
def mounting_works() -> bool:
    with tempfile.TemporaryDirectory() as folder:
        tried = subprocess.run(
            ["unshare", "-m", "sh", "-ec", 'mount -t tmpfs -o size=64k tmpfs "$0"', folder],
            capture_output=True,
        )
    return tried.returncode == 0


needs_mounts = pytest.mark.skipif(
    not mounting_works(),
    reason="needs a private mount namespace (unshare -m, as root) for a read-only or full disk",
)


def in_own_mounts(setup: str) -> list[str]:
    """The Python that runs ``-m bot``, started after ``setup`` in a mount namespace of its own."""
    return ["unshare", "-m", "sh", "-ec", f'{setup}\nexec "$0" "$@"', sys.executable]


def read_only(folder: Path) -> str:
    where = shlex.quote(str(folder))
    return f"mount --bind {where} {where} && mount -o remount,bind,ro {where} {where}"


def env_for(database: str, slack_url: str = "http://127.0.0.1:9/api/", **more: str) -> dict:
    return bot_env(
        SLACK_BOT_TOKEN="xoxb-storage",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=database,
        **more,
    )


async def migrated(path: Path) -> None:
    """A database with one lead, closed (its log folded back in)."""
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            await leads.create(
                conn,
                team_id=TEAM,
                name="Jane Doe",
                source="referral",
                owner="U1",
                created_by="U1",
                now=datetime.now(UTC),
            )
    finally:
        await db.close()


async def loading_the_app() -> float:
    """Seconds a fresh interpreter takes to import the server now, on this (shared) machine.

    The same-run baseline for ``STOPS_WITHIN``: on a loaded 2-core machine importing
    Bolt alone can take seconds, which is not the app hanging.
    """
    started = time.monotonic()
    loader = await asyncio.create_subprocess_exec(sys.executable, "-c", "import bot.cli, bot.serve")
    await loader.wait()
    return time.monotonic() - started


async def stopped_with_one_sentence(bot: BotProcess, *said: str) -> str:
    started = time.monotonic()
    code = await bot.exited(within=30)
    took = time.monotonic() - started - await loading_the_app()
    sentences = [line for line in bot.lines if line.startswith("hotleads: ")]
    assert code == 2, bot.output
    assert len(sentences) == 1 and "Traceback" not in bot.output, bot.output
    assert "DATABASE_URL" in sentences[0] and all(s in sentences[0] for s in said), bot.output
    assert took < STOPS_WITHIN, f"took {took:.1f}s beyond loading the app"
    return sentences[0]


COMMANDS = [
    pytest.param([], id="serve"),
    pytest.param(["export"], id="export"),
    pytest.param(["import", "{csv}", "--team", TEAM], id="import"),
    pytest.param(["migrate"], id="migrate"),
    pytest.param(["run-due"], id="run-due"),
    pytest.param(["hooks", "list"], id="hooks-list"),
]


@needs_mounts
@pytest.mark.parametrize("args", COMMANDS)
async def test_a_read_only_database_stops_every_command_at_once(tmp_path, args):
    folder = tmp_path / "data"
    folder.mkdir()
    await migrated(folder / "h.db")
    csv = tmp_path / "in.csv"
    csv.write_text("name,owner\nNew Lead,U1\n")
    env = env_for(f"sqlite:///{folder / 'h.db'}", PORT=str(free_port()))
    argv = [a.replace("{csv}", str(csv)) for a in args]
    bot = BotProcess(env, *argv, python=in_own_mounts(read_only(folder)))
    await bot.start()
    try:
        await stopped_with_one_sentence(bot, str(folder / "h.db"), "read-only file system")
    finally:
        await bot.kill()


@needs_mounts
async def test_a_database_folder_that_cannot_be_made_stops_the_server(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    env = env_for(f"sqlite:///{folder / 'missing' / 'h.db'}", PORT=str(free_port()))
    bot = await BotProcess(env, python=in_own_mounts(read_only(folder))).start()
    try:
        await stopped_with_one_sentence(bot, "read-only file system")
    finally:
        await bot.kill()


async def nsenter(pid: int, script: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "nsenter", "-t", str(pid), "-m", "sh", "-c", script
    )
    await asyncio.wait_for(process.wait(), 30)


@needs_mounts
async def test_a_full_disk_while_serving_answers_couldnt_save_and_logs_one_line(tmp_path, slack):
    prepared, disk = tmp_path / "prepared.db", tmp_path / "disk"
    disk.mkdir()
    await migrated(prepared)
    setup = (
        f"mount -t tmpfs -o size=4m tmpfs {shlex.quote(str(disk))}"
        f" && cp {shlex.quote(str(prepared))} {shlex.quote(str(disk / 'h.db'))}"
    )
    port = free_port()
    env = env_for(f"sqlite:///{disk / 'h.db'}", slack.url, PORT=str(port), LOG_LEVEL="WARNING")
    bot = await BotProcess(env, python=in_own_mounts(setup)).start()
    try:
        await bot.ready(port)
        assert bot.process is not None
        filler = shlex.quote(str(disk / "filler"))
        await nsenter(bot.process.pid, f"dd if=/dev/zero of={filler} bs=64k 2>/dev/null; true")
        before = len(bot.lines)
        url = f"http://127.0.0.1:{port}/slack/events"
        async with SlackSender(url, SIGNING_SECRET) as sender:
            status, reply = await sender.command("add Omar Haddad source:referral")
            assert status == 200 and COULD_NOT_SAVE in reply_text(reply), reply
            await asyncio.sleep(0.3)  # what the server logs about it
            logged = bot.lines[before:]
            assert "Traceback" not in bot.output, bot.output
            (line,) = [x for x in logged if "couldn't save" in x]
            assert "disk is full" in line, logged
            await nsenter(bot.process.pid, f"rm -f {filler}")
            status, reply = await sender.command("add Omar Haddad source:referral")
        assert status == 200 and "Added *Omar Haddad* #2" in reply_text(reply), reply
        await bot.stop()
        assert bot.returncode == 0, bot.output
    finally:
        await bot.kill()


@contextlib.asynccontextmanager
async def silent_server():
    """Accepts connections and never says a word, like a host behind a dropping firewall."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("args", [[], ["export"]], ids=["serve", "export"])
async def test_postgresql_refusing_connections_stops_at_once(args):
    env = env_for(f"postgresql://hotleads@127.0.0.1:{free_port()}/hotleads", PORT=str(free_port()))
    bot = await BotProcess(env, *args).start()
    try:
        await stopped_with_one_sentence(bot, "Connection refused")
    finally:
        await bot.kill()


async def test_postgresql_that_never_answers_stops_within_5_seconds():
    async with silent_server() as port:
        env = env_for(f"postgresql://hotleads@127.0.0.1:{port}/hotleads", PORT=str(free_port()))
        bot = await BotProcess(env).start()
        try:
            await stopped_with_one_sentence(bot, "no answer within")
        finally:
            await bot.kill()


class Proxy:
    """A TCP relay to PostgreSQL that the test can cut, as a network or a failover would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.pipes: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.pipes:
            writer.close()
        await self.server.wait_closed()


@pytest.mark.postgres
async def test_postgresql_going_away_while_serving_answers_couldnt_save(slack):
    async with fresh_schema() as address:
        parts = urlsplit(address.url)
        proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
        via_proxy = urlunsplit(parts._replace(netloc=netloc))
        assert via_proxy != address.url
        port = free_port()
        env = env_for(via_proxy, slack.url, PORT=str(port), LOG_LEVEL="WARNING")
        bot = await BotProcess(env).start()
        try:
            await bot.ready(port)
            url = f"http://127.0.0.1:{port}/slack/events"
            async with SlackSender(url, SIGNING_SECRET) as sender:
                status, reply = await sender.command("add Jane Doe source:referral")
                assert "Added *Jane Doe* #1" in reply_text(reply), reply
                await proxy.cut()
                for name in ("Omar Haddad", "Li Wei"):  # a broken connection, then none at all
                    started = time.monotonic()
                    status, reply = await sender.command(f"add {name} source:referral")
                    took = time.monotonic() - started
                    assert status == 200 and COULD_NOT_SAVE in reply_text(reply), reply
                    assert took < 3, f"answered after {took:.1f}s: Slack gives up at 3"
            assert "Traceback" not in bot.output, bot.output
            # One line per failed write, with its cause: each command's, and (timing
            # allowing) a write after the ack that met the same dead database.
            failed = [x for x in bot.lines if "couldn't save" in x]
            assert len(failed) >= 2 and all("connection" in x for x in failed), bot.output
            await bot.stop()
        finally:
            await bot.kill()
        db = await Database.open(address)
        try:
            assert [lead.name for lead in await every_lead(db, TEAM)] == ["Jane Doe"]
        finally:
            await db.close()


def full_disk() -> sqlite3.OperationalError:
    """What SQLite raises on a full disk, as the minute loop's task group meets it."""
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL
    return error


def test_work_side_by_side_that_met_a_full_disk_is_one_storage_failure():
    assert "disk is full" in storage_failure(ExceptionGroup("turns", [full_disk()]))
    nested = ExceptionGroup("turns", [full_disk(), ExceptionGroup("inner", [full_disk()])])
    assert "disk is full" in storage_failure(nested)
    assert storage_failure(ExceptionGroup("turns", [full_disk(), ValueError("a bug")])) is None
