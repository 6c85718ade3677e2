"""Many workspaces end to end: Slack's OAuth played by the fake, each team with its own token."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from conftest import NO_DOTENV, SIGNING_SECRET, START, bot_env, every_lead, fresh_database
from cryptography.fernet import Fernet
from fake_slack import FakeSlack
from slack_requests import SlackSender

from bot.app import BOT_SCOPES, build_app, http_app, team_clients
from bot.config import Settings
from bot.domain.clock import FixedClock
from bot.domain.hooks import new_hook
from bot.domain.relay import Notifications
from handlers.context import Services
from handlers.delivery import run_due
from storage import (
    hooks,
    installations,
    notifications,
    oauth_states,
    pending_steps,
    relays,
    schema,
    users,
)
from storage.db import Database
from storage.engine import Address
from storage.sealing import Sealer

KEY = Fernet.generate_key().decode()
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Hosted:
    """hotleads serving many workspaces, with a browser's and Slack's means to reach it."""

    services: Services
    clock: FixedClock
    slack: FakeSlack
    base: str

    @property
    def db(self) -> Database:
        return self.services.db

    def sender(self, team_id: str) -> SlackSender:
        return SlackSender(
            f"{self.base}/slack/events",
            SIGNING_SECRET,
            response_url=self.slack.response_url(team_id),
        )

    async def start_install(self, browser: aiohttp.ClientSession) -> tuple[str, str, dict]:
        """Open /slack/install: the state cookie and the authorize URL's query."""
        async with browser.get(f"{self.base}/slack/install") as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.headers["Set-Cookie"].split(";")[0]
        (link,) = re.findall(r'href="(https://slack\.com/oauth/v2/authorize[^"]*)"', page)
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        return cookie, query["state"][0], query

    async def redirect(
        self, browser: aiohttp.ClientSession, cookie: str, **params: str
    ) -> tuple[int, str]:
        async with browser.get(
            f"{self.base}/slack/oauth_redirect", params=params, headers={"Cookie": cookie}
        ) as response:
            return response.status, await response.text()

    async def install(self, team_id: str, name: str, **grant) -> None:
        async with aiohttp.ClientSession() as browser:
            cookie, state, _ = await self.start_install(browser)
            code = self.slack.approve(team_id, name, **grant)
            status, page = await self.redirect(browser, cookie, code=code, state=state)
        assert status == 200 and "installed" in page, page

    async def run_due(self):
        return await run_due(self.services, team_clients(self.services), self.clock.now())


def multi_settings(address: Address, slack: FakeSlack) -> Settings:
    return Settings(
        bot_token="",
        signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        database=address,
        admins=frozenset({"UADMIN"}),
        client_id=slack.client_id,
        client_secret=slack.client_secret,
        encryption_keys=(KEY,),
    )


@asynccontextmanager
async def hosted_hotleads(address: Address, slack: FakeSlack) -> AsyncIterator[Hosted]:
    settings = multi_settings(address, slack)
    db = await Database.open(address)
    services = Services(settings=settings, db=db, clock=FixedClock(START))
    runner = web.AppRunner(http_app(build_app(services), SIGNING_SECRET, services))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        yield Hosted(services, services.clock, slack, f"http://127.0.0.1:{port}")  # type: ignore[arg-type]
    finally:
        await runner.cleanup()
        await db.close()
        assert slack.rejections == [], slack.rejections


@pytest.fixture
async def hosted(tmp_path, slack, backend) -> AsyncIterator[Hosted]:
    async with (
        fresh_database(backend, tmp_path) as address,
        hosted_hotleads(address, slack) as running,
    ):
        yield running


async def count(db: Database, table: str) -> int:
    row = await db.reader.fetchone(f"SELECT count(*) FROM {table}")
    return row[0]


# ------------------------------------------------------------ installing


async def test_install_page_sets_a_state_and_links_to_slack_with_the_manifests_scopes(hosted):
    async with aiohttp.ClientSession() as browser:
        cookie, state, query = await hosted.start_install(browser)
    assert cookie == f"slack-app-oauth-state={state}"
    assert query["client_id"] == [hosted.slack.client_id]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    assert await count(hosted.db, "oauth_states") == 1


async def test_redirect_exchanges_the_code_on_slack_api_url_and_stores_the_installation(hosted):
    await hosted.install("TACME", "Acme", installer="UJANE")
    (exchange,) = hosted.slack.calls_to("oauth.v2.access")
    assert exchange.ok and exchange.params["code"].startswith("code-TACME")
    stored = await installations.find(hosted.db.reader, "TACME", Sealer([KEY]))
    assert stored is not None and stored.usable
    assert stored.bot_token in hosted.slack.tokens_of("TACME")
    assert stored.refresh_token and stored.token_expires_at
    assert (stored.team_name, stored.installer, stored.bot_user_id) == (
        "Acme",
        "UJANE",
        "UBOTTACME",
    )
    assert stored.bot_id == "BTACME"
    assert await count(hosted.db, "oauth_states") == 0  # consumed


@pytest.mark.parametrize("case", ["wrong", "reused", "expired", "no cookie"])
async def test_a_wrong_reused_or_expired_state_is_refused_and_stores_nothing(hosted, case):
    async with aiohttp.ClientSession() as browser:
        cookie, state, _ = await hosted.start_install(browser)
        if case == "wrong":
            state, cookie = "forged", "slack-app-oauth-state=forged"
        if case == "reused":
            first = hosted.slack.approve("TOTHER", "Other")
            assert (await hosted.redirect(browser, cookie, code=first, state=state))[0] == 200
        if case == "expired":
            hosted.clock.moment += timedelta(minutes=10, seconds=1)
        if case == "no cookie":
            cookie = ""
        before = await count(hosted.db, "installations")
        code = hosted.slack.approve("TACME", "Acme")
        status, page = await hosted.redirect(browser, cookie, code=code, state=state)
    assert status in (400, 401) and "was not installed" in page
    assert await count(hosted.db, "installations") == before
    assert await installations.find(hosted.db.reader, "TACME", Sealer([KEY])) is None
    assert not [c for c in hosted.slack.calls_to("oauth.v2.access") if c.params["code"] == code]


async def test_redirects_racing_with_one_state_consume_it_once(db):
    async with db.transaction() as conn:
        state = await oauth_states.issue(conn, START)

    async def consume() -> bool:
        async with db.transaction() as conn:
            return await oauth_states.consume(conn, state, START)

    assert sorted(await asyncio.gather(*(consume() for _ in range(5)))) == [False] * 4 + [True]


async def test_stored_tokens_are_not_readable_in_the_database_file_without_the_key(hosted):
    await hosted.install("TACME", "Acme")
    (token,) = hosted.slack.tokens_of("TACME")
    stored = await hosted.db.reader.fetchall("SELECT * FROM installations")
    assert len(stored) == 1
    raw = repr([tuple(row) for row in stored]).encode()
    assert b"TACME" in raw  # what is not sealed is there to see
    if not hosted.db.address.is_postgres:  # the file itself: pages and write-ahead log
        path = hosted.db.address.path
        raw = await asyncio.to_thread(lambda: path.read_bytes() + Path(f"{path}-wal").read_bytes())
        assert b"TACME" in raw
    assert token.encode() not in raw and b"xoxe" not in raw and b"xoxb" not in raw
    other_key = Sealer([Fernet.generate_key().decode()])
    with pytest.raises(Exception, match="HOTLEADS_ENCRYPTION_KEY"):
        await installations.find(hosted.db.reader, "TACME", other_key)


async def test_a_rotated_key_still_opens_old_tokens_and_reseal_moves_them_to_the_new_key(hosted):
    await hosted.install("TACME", "Acme")
    new = Fernet.generate_key().decode()
    both = Sealer([new, KEY])
    assert (await installations.find(hosted.db.reader, "TACME", both)).usable
    async with hosted.db.transaction() as conn:
        assert await installations.reseal(conn, both) == 1
    assert (await installations.find(hosted.db.reader, "TACME", Sealer([new]))).usable


# ------------------------------------------------------------ two workspaces


async def test_two_workspaces_each_use_their_own_token_and_see_only_their_own_leads(hosted):
    slack = hosted.slack
    await hosted.install("TACME", "Acme")
    await hosted.install("TBETA", "Beta")
    tokens = {team: slack.tokens_of(team) for team in ("TACME", "TBETA")}
    for team, lead in (("TACME", "Jane Doe"), ("TBETA", "Bob Roe")):
        slack.users[f"U{team}"] = {"id": f"U{team}", "tz": "UTC", "is_admin": False}
        async with hosted.sender(team) as sender:
            hosted.clock.moment = START - timedelta(days=10)
            status, _ = await sender.command(
                f"add {lead} source:referral", user_id=f"U{team}", team_id=team
            )
            assert status == 200
            hosted.clock.moment = START
            await sender.command("settings channel:<#CSALES|sales>", user_id="UADMIN", team_id=team)
            await slack.wait_for_responses(team)
            status, body = await sender.command("list", user_id=f"U{team}", team_id=team)
        other = "Bob Roe" if lead == "Jane Doe" else "Jane Doe"
        assert lead in str(body) and other not in str(body)
    assert [lead.name for lead in await every_lead(hosted.db, "TACME")] == ["Jane Doe"]
    assert [lead.name for lead in await every_lead(hosted.db, "TBETA")] == ["Bob Roe"]
    slack.calls.clear()
    hosted.clock.moment = MONDAY_0900 + timedelta(days=1)
    outcomes = await hosted.run_due()
    assert {(o.team_id, o.kind, o.status) for o in outcomes} == {
        (team, kind, "sent") for team in ("TACME", "TBETA") for kind in ("digest", "reminder")
    }
    for call in slack.calls_to("chat.postMessage"):
        text = str(call.params)
        team = "TACME" if "Jane Doe" in text else "TBETA"
        assert call.token in tokens[team], (call.token, text)
        assert ("Bob Roe" if team == "TACME" else "Jane Doe") not in text
    assert len(slack.calls_to("chat.postMessage")) == 4
    assert slack.calls_to("auth.test") == []  # authorization came from the stored rows


async def test_a_hook_looks_up_the_owner_with_its_own_workspaces_token(hosted):
    await hosted.install("TACME", "Acme")
    await hosted.install("TBETA", "Beta")
    hosted.slack.users["UREP"] = {"id": "UREP", "profile": {"email": "rep@beta.example"}}
    made = new_hook(
        team_id="TBETA", type="generic", kind="inbound", owner="", created_by="t", now=START
    )
    hook, secret = made.hook, made.secret
    async with hosted.db.transaction() as conn:
        await hooks.create(conn, hook)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{hosted.base}/hooks/{hook.id}",
            json={"name": "Ann Lee", "owner": "rep@beta.example"},
            headers={"Authorization": f"Bearer {secret}"},
        ) as response,
    ):
        assert response.status == 200, await response.text()
    (lookup,) = hosted.slack.calls_to("users.lookupByEmail")
    assert lookup.token in hosted.slack.tokens_of("TBETA")


# ------------------------------------------------------------ token rotation


async def expire_soon(db: Database, team_id: str) -> None:
    """Slack's clock says the token has five minutes left."""
    soon = datetime.fromtimestamp(time.time() + 300, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE installations SET token_expires_at = ? WHERE team_id = ?", (soon, team_id)
        )


async def test_a_token_near_expiry_is_refreshed_before_use(hosted):
    await hosted.install("TACME", "Acme")
    old = await installations.find(hosted.db.reader, "TACME", Sealer([KEY]))
    await expire_soon(hosted.db, "TACME")
    client = await team_clients(hosted.services).for_team("TACME")
    refreshes = [c for c in hosted.slack.calls_to("oauth.v2.access") if "refresh_token" in c.params]
    assert [c.params["refresh_token"] for c in refreshes] == [old.refresh_token]
    assert client.token != old.bot_token and client.token in hosted.slack.tokens_of("TACME")
    new = await installations.find(hosted.db.reader, "TACME", Sealer([KEY]))
    assert new.bot_token == client.token and new.refresh_token != old.refresh_token
    assert new.token_expires_at > datetime.now(UTC) + timedelta(hours=11)


WORKER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from test_oauth import multi_settings_for
from bot.app import team_clients
from bot.domain.clock import SystemClock
from handlers.context import Services
from storage.db import Database

async def main():
    settings = multi_settings_for({database!r}, {url!r}, {client_id!r}, {secret!r}, {key!r})
    db = await Database.open(settings.database)
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # both start asking at the same moment
        client = await team_clients(Services(settings=settings, db=db, clock=SystemClock())).for_team("TACME")
        print(client.token)
    finally:
        await db.close()

asyncio.run(main())
"""


def multi_settings_for(database: str, url: str, client_id: str, secret: str, key: str) -> Settings:
    """For the worker processes: the settings a second server would start with."""
    return Settings(
        bot_token="",
        signing_secret=SIGNING_SECRET,
        slack_api_url=url,
        database=Address.parse(database),
        client_id=client_id,
        client_secret=secret,
        encryption_keys=(key,),
    )


async def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(hosted, tmp_path):
    await hosted.install("TACME", "Acme")
    await expire_soon(hosted.db, "TACME")
    hosted.slack.refresh_delay = 0.5  # both workers ask while the first refresh is under way
    script = WORKER.format(
        tests=str(Path(__file__).parent),
        database=hosted.db.address.url,
        url=hosted.slack.url,
        client_id=hosted.slack.client_id,
        secret=hosted.slack.client_secret,
        key=KEY,
    )
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=bot_env(),
            cwd=NO_DOTENV,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert await worker.stdout.readline() == b"ready\n"
    for worker in workers:
        worker.stdin.write(b"go\n")
    answers = await asyncio.gather(*(w.communicate() for w in workers))
    outputs = [out.decode().strip() for out, _ in answers]
    assert [w.returncode for w in workers] == [0, 0]
    refreshes = [c for c in hosted.slack.calls_to("oauth.v2.access") if "refresh_token" in c.params]
    assert len(refreshes) == 1 and refreshes[0].ok
    assert outputs[0] == outputs[1] and outputs[0] in hosted.slack.tokens_of("TACME")


# ------------------------------------------------------------ leaving


async def test_app_uninstalled_deletes_all_of_that_workspace_and_nothing_of_the_other(hosted):
    await test_two_workspaces_each_use_their_own_token_and_see_only_their_own_leads(hosted)
    tables = await tables_with_rows(hosted.db)
    for team in ("TACME", "TBETA"):
        async with hosted.sender(team) as sender:
            status, _ = await sender.command("log #1 call", user_id=f"U{team}", team_id=team)
            assert status == 200
        # After the ack the app asks Slack about the rep again (a day has passed): let
        # that settle, or it lands between the snapshot below and the comparison.
        await wait_until(lambda t=team: fresh_rep(hosted, t), empty=False)
        made = new_hook(
            team_id=team, type="generic", kind="inbound", owner="", created_by="t", now=START
        )
        async with hosted.db.transaction() as conn:
            await hooks.create(conn, made.hook)
            (lead, *_) = await every_lead(hosted.db, team)
            await hooks.add_signal(
                conn,
                team_id=team,
                lead_id=lead.id,
                hook_id=made.hook.id,
                kind="quote",
                note="",
                at=START,
                arrived_at=START,
            )
            await relays.start(
                conn,
                team,
                lead.id,
                owner="",
                signal_id=None,
                signal_at=START,
                snoozed_until=None,
                now=START,
            )
            await notifications.save(conn, team, Notifications(f"U{team}", instant=False), START)
            await pending_steps.add(
                conn,
                team_id=team,
                execution_id=f"Fx{team}",
                lead_id=lead.id,
                offered_to=f"U{team}",
                due_at=START,
                now=START,
            )
    before = {t: await rows_of(hosted.db, t, "TBETA") for t in tables}
    had = {t for t in tables if await rows_of(hosted.db, t, "TACME")}
    single_workspace_only = {"revoked_tokens"}
    assert set(await team_tables(hosted.db)) - {"seen_events", *single_workspace_only} <= had
    assert {"interactions", "lead_signals", "lead_reminders"} <= had
    async with hosted.sender("TACME") as sender:
        for attempt in range(2):  # Slack retries; the second finds nothing left
            status, _ = await sender.event(
                {"type": "app_uninstalled"}, team_id="TACME", event_id=f"Ev{attempt}"
            )
            assert status == 200
            await wait_until(lambda: rows_of(hosted.db, "installations", "TACME"), empty=True)
    for table in tables:
        assert await rows_of(hosted.db, table, "TACME") == [], table
        assert await rows_of(hosted.db, table, "TBETA") == before[table], table


async def columns_of(db: Database) -> dict[str, set[str]]:
    """Every table's column names, read from the schema itself (either engine's)."""
    found = await schema.tables(db.reader)
    return {name: {column.name for column in table.columns} for name, table in found.items()}


async def team_tables(db: Database) -> list[str]:
    """Every table with a team_id column."""
    return [name for name, columns in (await columns_of(db)).items() if "team_id" in columns]


async def test_forgetting_a_workspace_covers_every_table_with_a_team_id(db):
    assert sorted(await team_tables(db)) == sorted(installations.WORKSPACE_TABLES)


async def tables_with_rows(db: Database) -> list[str]:
    return sorted(await columns_of(db))


async def rows_of(
    db: Database, table: str, team_id: str, columns: set[str] | None = None
) -> list[tuple]:
    """The table's rows that belong to the workspace, directly or through a lead or hook.

    Sorted, since PostgreSQL returns rows in no promised order.
    """
    columns = columns or (await columns_of(db))[table]
    if "team_id" in columns:
        where, params = "team_id = ?", (team_id,)
    elif "lead_id" in columns:
        where, params = "lead_id IN (SELECT id FROM leads WHERE team_id = ?)", (team_id,)
    elif "hook_id" in columns:
        where, params = "hook_id IN (SELECT id FROM hooks WHERE team_id = ?)", (team_id,)
    else:
        return []  # oauth_states, belonging to no workspace
    rows = await db.reader.fetchall(f"SELECT * FROM {table} WHERE {where}", params)
    return sorted((tuple(row) for row in rows), key=repr)


async def fresh_rep(hosted: Hosted, team: str) -> bool:
    known = await users.get(hosted.db.reader, team, f"U{team}")
    return known is not None and known.fetched_at == hosted.clock.now()


async def wait_until(probe, *, empty: bool, within: float = 5) -> None:
    deadline = time.monotonic() + within
    while bool(await probe()) == empty:
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def test_tokens_revoked_drops_the_tokens_and_keeps_the_data(hosted):
    await hosted.install("TACME", "Acme")
    async with hosted.sender("TACME") as sender:
        await sender.command("add Jane Doe source:referral", user_id="U1", team_id="TACME")
        await sender.event(
            {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOTTACME"]}},
            team_id="TACME",
        )
    await wait_until(lambda: installations.active_teams(hosted.db.reader), empty=True)
    row = await hosted.db.reader.fetchone(
        "SELECT bot_token, refresh_token, active FROM installations WHERE team_id = 'TACME'"
    )
    assert tuple(row) == (None, None, 0)
    assert len(await every_lead(hosted.db, "TACME")) == 1


async def test_a_revoked_token_switches_the_workspace_off_instead_of_retrying(hosted):
    await hosted.install("TACME", "Acme")
    async with hosted.sender("TACME") as sender:
        await sender.command("settings channel:<#CSALES|sales>", user_id="UADMIN", team_id="TACME")
        await hosted.slack.wait_for_responses("TACME")
    hosted.slack.revoke("TACME")
    hosted.clock.moment = MONDAY_0900 + timedelta(days=1)
    (outcome,) = await hosted.run_due()
    assert (outcome.status, outcome.error) == ("refused", "token_revoked")
    assert await installations.active_teams(hosted.db.reader) == []
    hosted.slack.calls.clear()
    hosted.clock.moment += timedelta(days=1)
    assert await hosted.run_due() == []
    assert hosted.slack.calls == []


async def test_workspaces_command_lists_each_installation_with_its_leads(hosted, capsys):
    from bot import workspace_admin

    await hosted.install("TACME", "Acme")
    await hosted.install("TBETA", "Beta")
    async with hosted.sender("TACME") as sender:
        await sender.command("add Jane Doe source:referral", user_id="U1", team_id="TACME")
    async with hosted.db.transaction() as conn:
        await installations.deactivate(conn, "TBETA", "token_revoked")
    settings = multi_settings(hosted.db.address, hosted.slack)
    assert await workspace_admin.list_workspaces(settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("\t")[:2] == ["TACME", "Acme"] and lines[1].endswith("\tyes\t1")
    assert lines[2].startswith("TBETA\tBeta") and lines[2].endswith("\tno (token_revoked)\t0")
