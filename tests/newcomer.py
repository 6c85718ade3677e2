"""A newcomer's first hour with hotleads, scripted: ``.ci/run`` runs it after the tests.

In a fresh clone of the commit, with none of this machine's Slack or database
variables:

1. the README's bot command, read from the README, as written: with no tokens it
   must stop with one sentence and exit code 2, having made ``.env``;
2. the two tokens filled into that ``.env`` (and ``SLACK_API_URL`` pointed at a fake
   Slack, ``PORT`` at a free port): the same command starts the bot, signed
   ``/lead help``, ``/lead add …`` and ``/lead show …`` get their real answers, and
   SIGTERM stops it with exit code 0;
3. the same over Socket Mode, with ``SLACK_APP_TOKEN`` filled in too: the fake Slack
   serves ``apps.connections.open`` and the WebSocket;
4. the README's test command in the clone, with a ``.env`` beside it that sets every
   variable hotleads reads to junk: the tests must not notice it. It runs the test
   files that start hotleads as a process (the only code that reads ``.env``); the
   whole suite has just run before this script in CI.

Run it as ``.venv/bin/python tests/newcomer.py``; it exits non-zero at the first
thing a newcomer would have stumbled on, saying what.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import readme  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from slack_requests import SlackSender  # noqa: E402
from slack_socket import SlackSocket, slash_command  # noqa: E402

from bot.config import VARIABLES  # noqa: E402

SIGNING_SECRET = "newcomer-signing-secret"
BOT_TOKEN = "xoxb-newcomer-token"
APP_TOKEN = "xapp-1-A0001-newcomer"
FIRST_ANSWER = 240.0
"""Seconds the bot command may take to install and answer /healthz (a first pip install)."""
TESTS_WITHIN = 15 * 60.0


class Stumble(Exception):
    """What a newcomer would have run into."""


def say(text: str) -> None:
    print(f"newcomer: {text}", flush=True)


def clean_environment() -> dict[str, str]:
    """This machine's environment without anything of hotleads', Slack's or the CI's own."""
    dropped = {*VARIABLES, "TEST_DATABASE_URL", "HOTLEADS_REQUIRE_POSTGRES", "VIRTUAL_ENV"}
    return {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith("SLACK_") and name != "PYTHONPATH"
    }


def fresh_clone(into: Path) -> Path:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    clone = into / "hotleads"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True)
    say(f"cloned {commit[:12]} into {clone}")
    return clone


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fill_in(dotenv: Path, **values: str) -> None:
    """Set variables in ``.env`` as a newcomer would, editing the lines it already has."""
    text = dotenv.read_text()
    for name, value in values.items():
        text, found = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
        if not found:
            raise Stumble(f".env made from .env.example has no {name}= line to fill in")
    dotenv.write_text(text)


class BotCommand:
    """The README's bot command, run in the clone by bash, its output kept."""

    def __init__(self, clone: Path, log: Path) -> None:
        self.clone, self.log = clone, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                ["bash", "-c", readme.command("bot")],
                cwd=self.clone,
                env=clean_environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, within: float) -> int:
        assert self.process is not None
        try:
            return self.process.wait(within)
        except subprocess.TimeoutExpired:
            raise Stumble(
                f"the bot command did not stop within {within:g}s:\n{self.output}"
            ) from None

    def _children(self) -> list[int]:
        """Processes whose parent is the bash running the command (read from /proc)."""
        assert self.process is not None
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def the_bot(self) -> int:
        """The ``python -m bot`` the command ended in: bash's child, or bash itself when it
        ran its last command in its own place (bash 5.1 and later do)."""
        assert self.process is not None
        for pid in [*self._children(), self.process.pid]:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if command[-3:-1] == [b"-m", b"bot"]:
                return pid
        raise Stumble("found no python -m bot process to stop")

    def stop(self) -> float:
        started = time.monotonic()
        os.kill(self.the_bot(), signal.SIGTERM)
        code = self.wait(10)
        if code != 0:
            raise Stumble(f"SIGTERM: the bot exited {code}:\n{self.output}")
        return time.monotonic() - started

    def kill(self) -> None:
        """Whatever is left after a failure: the bot (by its id), then bash."""
        if self.process is not None and self.process.poll() is None:
            for pid in self._children():
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()


async def until_healthy(bot: BotCommand, port: int) -> None:
    import aiohttp

    deadline = time.monotonic() + FIRST_ANSWER
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if bot.process is not None and bot.process.poll() is not None:
                raise Stumble(f"the bot command ended ({bot.process.returncode}):\n{bot.output}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise Stumble(f"the bot never answered /healthz:\n{bot.output}")


def check(answers: dict[str, str], expected: dict[str, str]) -> None:
    """The real answers to help, add and show, as a rep would read them."""
    for text, says in expected.items():
        if says not in answers[text] or "Something went wrong" in answers[text]:
            raise Stumble(f"/lead {text} answered {answers[text]!r}, not {says!r}")


OVER_HTTP = {
    "help": "keeps your leads",
    "add Jane Doe company:Acme source:referral": "Added *Jane Doe* (Acme) #1",
    "show #1": "Jane Doe",
}
OVER_SOCKET_MODE = {
    "help": "keeps your leads",
    "add Jim Roe company:Initech source:event": "Added *Jim Roe* (Initech) #2",
    "show jim": "Jim Roe",
}


def flattened(reply: dict) -> str:
    from conftest import reply_text

    return reply_text(reply)


def first_log_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "hotleads for " in line]
    if not lines:
        raise Stumble(f"no first log line naming the mode:\n{output}")
    return lines[0]


async def first_run_without_tokens(clone: Path, logs: Path) -> None:
    bot = BotCommand(clone, logs / "first-run.log")
    bot.start()
    code = bot.wait(FIRST_ANSWER)
    sentences = [line for line in bot.output.splitlines() if line.startswith("hotleads: ")]
    if code != 2 or len(sentences) != 1 or "Traceback" in bot.output:
        raise Stumble(f"without tokens: exit {code}, expected 2 and one sentence:\n{bot.output}")
    if "SLACK_BOT_TOKEN" not in sentences[0]:
        raise Stumble(f"the sentence doesn't name the token to fill in: {sentences[0]}")
    if not (clone / ".env").exists():
        raise Stumble("the bot command made no .env")
    say(f"first run, no tokens: exit 2, {sentences[0]!r}")


async def over_http(clone: Path, logs: Path, slack: FakeSlack) -> None:
    port = free_port()
    fill_in(
        clone / ".env",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        PORT=str(port),
    )
    bot = BotCommand(clone, logs / "http.log")
    bot.start()
    try:
        await until_healthy(bot, port)
        say(f"over HTTP: {first_log_line(bot.output).split(': ', 1)[-1]}")
        url = f"http://127.0.0.1:{port}/slack/events"
        answers = {}
        async with SlackSender(url, SIGNING_SECRET) as sender:
            for text in OVER_HTTP:
                status, reply = await sender.command(text)
                if status != 200:
                    raise Stumble(f"/lead {text} answered HTTP {status}: {reply}")
                answers[text] = flattened(reply)
        check(answers, OVER_HTTP)
        took = await asyncio.to_thread(bot.stop)  # the fake Slack answers meanwhile
        say(f"over HTTP: help, add and show answered; SIGTERM stopped it in {took:.1f}s")
    finally:
        bot.kill()
    if "Traceback" in bot.output:
        raise Stumble(f"the HTTP run logged a traceback:\n{bot.output}")


async def over_socket_mode(clone: Path, logs: Path, slack: FakeSlack) -> None:
    socket_end = SlackSocket()
    await socket_end.start()
    slack.socket_url = socket_end.url
    port = free_port()
    fill_in(clone / ".env", SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="", PORT=str(port))
    bot = BotCommand(clone, logs / "socket-mode.log")
    bot.start()
    try:
        await until_healthy(bot, port)  # the health check stays on $PORT
        line = first_log_line(bot.output)
        if "Socket Mode" not in line:
            raise Stumble(f"the first log line doesn't say Socket Mode: {line}")
        say(f"Socket Mode: {line.split(': ', 1)[-1]}")
        answers = {}
        for number, text in enumerate(OVER_SOCKET_MODE):
            await socket_end.envelopes.put(slash_command(text, envelope_id=f"env-{number}"))
            ack = await asyncio.wait_for(socket_end.acks.get(), 30)
            answers[text] = flattened(ack.get("payload") or {})
        check(answers, OVER_SOCKET_MODE)
        took = await asyncio.to_thread(bot.stop)  # the fake Slack answers meanwhile
        say(f"Socket Mode: help, add and show answered; SIGTERM stopped it in {took:.1f}s")
    finally:
        bot.kill()
        await socket_end.stop()
    if "Traceback" in bot.output:
        raise Stumble(f"the Socket Mode run logged a traceback:\n{bot.output}")


def junk_dotenv(clone: Path) -> None:
    """Every variable hotleads reads, set to junk, in the clone's ``.env``."""
    junk = {name: "junk" for name in VARIABLES}
    junk["DATABASE_URL"] = "postgresql://junk:junk@junk.invalid:1/junk"
    junk["SLACK_CLIENT_ID"], junk["SLACK_CLIENT_SECRET"] = "1.2", "junk"
    (clone / ".env").write_text("".join(f"{name}={value}\n" for name, value in junk.items()))


def process_tests(clone: Path) -> list[str]:
    """The test files that start hotleads (or its CLI) as a process of its own."""
    starts = re.compile(r"\bsubprocess\b|\bbot_process\b|\bdotenv\b")
    return sorted(
        str(path.relative_to(clone))
        for path in (clone / "tests").glob("test_*.py")
        if starts.search(path.read_text(encoding="utf-8"))
    )


def the_tests(clone: Path, logs: Path) -> None:
    junk_dotenv(clone)
    files = process_tests(clone)
    if len(files) < 5:
        raise Stumble(f"expected the files that start hotleads as a process, found {files}")
    log = logs / "tests.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run(
            ["bash", "-c", f"{readme.command('test')} {' '.join(files)}"],
            cwd=clone,
            env=clean_environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=TESTS_WITHIN,
            check=False,
        )
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    if done.returncode != 0:
        raise Stumble(f"the README's test command failed beside a junk .env:\n{log.read_text()}")
    say(
        f"the README's test command, junk .env beside it: {tail[-1]} ({time.monotonic() - started:.0f}s)"
    )


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="newcomer-") as folder:
        logs = Path(folder)
        clone = fresh_clone(logs)
        slack = FakeSlack(team_id="T0001")
        await slack.start()
        try:
            await first_run_without_tokens(clone, logs)
            await over_http(clone, logs, slack)
            await over_socket_mode(clone, logs, slack)
        except Stumble as stumble:
            print(f"newcomer: FAILED: {stumble}", file=sys.stderr)
            return 1
        finally:
            await slack.stop()
        if slack.rejections:
            print(f"newcomer: FAILED: Slack would refuse {slack.rejections}", file=sys.stderr)
            return 1
        try:
            await asyncio.to_thread(the_tests, clone, logs)
        except (Stumble, subprocess.TimeoutExpired) as stumble:
            print(f"newcomer: FAILED: {stumble}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
