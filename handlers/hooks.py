"""``/lead hooks``: admins list, make and revoke the webhooks that bring leads in.

The same rule as changing settings: the caller's admin rights are asked of Slack
fresh, so the command acks first ("Checking your permissions…") and answers
through ``respond``. A new hook's secret is shown in that one ephemeral answer
and never again: only its hash (and, for signatures, the key) is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.grammar.hooks import parse_hooks
from bot.domain.hooks import DEFAULT_KIND, Hook, new_hook
from handlers import people, subcommands
from handlers.blocks import Reply, context, local_date, mention, section, sections
from handlers.invocation import Invocation
from handlers.subcommands import Answer, Subcommand
from storage import hooks

SECRET_USE = {
    "generic": (
        "Send it as `Authorization: Bearer <secret>` from Zapier, Make, n8n or your site's "
        "backend, or sign with it the Standard Webhooks way (`webhook-signature`)."
    ),
    "typeform": "Paste it as the *Secret* in the form's Connect → Webhooks settings.",
    "calendly": (
        "Pass it as `signing_key` when you create the webhook subscription "
        "(`POST /webhook_subscriptions`)."
    ),
}
NOT_ADMIN = (
    ":lock: Only workspace admins and owners (or people listed in HOTLEADS_ADMINS) "
    "can see and change hooks, so nothing changed."
)


async def list_hooks(cmd: grammar.Hooks, call: Invocation) -> None:
    await _as_admin(call, lambda: _listed(call))


async def new(cmd: grammar.HooksNew, call: Invocation) -> None:
    await _as_admin(call, lambda: _made(cmd, call))


async def revoke(cmd: grammar.HooksRevoke, call: Invocation) -> None:
    await _as_admin(call, lambda: _revoked(cmd, call))


async def _as_admin(call: Invocation, work: Callable[[], Awaitable[Reply]]) -> None:
    await call.ack(response_type="ephemeral", text="Checking your permissions…")
    allowed = await people.is_admin(
        call.client, call.services, call.team_id, call.user_id, call.known
    )
    if allowed is None:
        reply = Reply(people.NOT_CONFIRMED, [section(people.NOT_CONFIRMED)])
    elif not allowed:
        reply = Reply(NOT_ADMIN, [section(NOT_ADMIN)])
    else:
        reply = await work()
    await call.respond(
        response_type="ephemeral", replace_original=True, text=reply.text, blocks=reply.blocks
    )


def _hook_line(hook: Hook) -> str:
    owner = mention(hook.owner) if hook.owner else "round robin (`reps:`) or claimed"
    used = local_date(hook.last_used_at) if hook.last_used_at else "never"
    error = f"\n      :warning: last error: {hook.last_error}" if hook.last_error else ""
    return (
        f"• `{hook.id}` *{hook.type}* · kind `{hook.kind}` · owner {owner} · "
        f"made by {mention(hook.created_by)} · last used {used} · {hook.received} received"
        f"{error}"
    )


async def _listed(call: Invocation) -> Reply:
    found = await hooks.of_team(call.services.db.reader, call.team_id)
    live = [hook for hook in found if hook.revoked_at is None]
    if not live:
        text = "No hooks yet. Make one: `/lead hooks new typeform kind:quote`."
        return Reply(text, [section(text)])
    title = f"*{len(live)} hook{'s' if len(live) != 1 else ''}* bring leads in:"
    revoked = len(found) - len(live)
    blocks = [section(title), *sections([_hook_line(hook) for hook in live])]
    blocks.append(
        context(
            (f"{revoked} revoked not shown · " if revoked else "")
            + "`/lead hooks new` makes one · `/lead hooks revoke ID` turns one off"
        )
    )
    return Reply(f"{len(live)} hooks", blocks)


def hook_url(public_url: str | None, hook_id: str) -> str:
    return f"{public_url.rstrip('/')}/hooks/{hook_id}" if public_url else f"/hooks/{hook_id}"


async def _made(cmd: grammar.HooksNew, call: Invocation) -> Reply:
    made = new_hook(
        team_id=call.team_id,
        type=cmd.type,
        kind=cmd.kind or DEFAULT_KIND,
        owner=cmd.owner,
        created_by=call.user_id,
        now=call.now,
    )
    async with call.services.db.transaction() as conn:
        await hooks.create(conn, made.hook)
    public_url = call.services.settings.public_url
    url = hook_url(public_url, made.hook.id)
    where = (
        f"*URL:* `{url}`"
        if public_url
        else f"*Path:* `{url}` — put your server's public address in front of it "
        "(set `PUBLIC_URL` and I'll show the whole URL)."
    )
    owner = mention(cmd.owner) if cmd.owner else "the payload's `owner`, else `reps:` in turn"
    lines = [
        f":white_check_mark: Made a *{made.hook.type}* hook: each delivery logs a "
        f"`{made.hook.kind}` touch; owner: {owner}.",
        where,
        f"*Secret:* `{made.secret}`",
        SECRET_USE[made.hook.type],
    ]
    blocks = [*sections(lines)]
    blocks.append(
        context(
            ":eyes: Only you see this, and only now: copy the secret. Never put it in a web page. "
            f"`/lead hooks revoke {made.hook.id}` turns the hook off."
        )
    )
    return Reply(f"Made a {made.hook.type} hook: {url}", blocks)


async def _revoked(cmd: grammar.HooksRevoke, call: Invocation) -> Reply:
    async with call.services.db.transaction() as conn:
        done = await hooks.revoke(conn, call.team_id, cmd.hook_id, call.now)
    if not done:
        text = (
            f":warning: There is no live hook `{cmd.hook_id}` in this workspace, so nothing "
            "changed. `/lead hooks` lists them."
        )
        return Reply(text, [section(text)])
    text = (
        f":no_entry: Revoked hook `{cmd.hook_id}`: from now on it answers 404 and stores nothing."
    )
    return Reply(text, [section(text)])


SUBCOMMANDS = (
    Subcommand(
        "hooks",
        parse_hooks,
        (
            Answer.of(grammar.Hooks, list_hooks),
            Answer.of(grammar.HooksNew, new),
            Answer.of(grammar.HooksRevoke, revoke),
        ),
    ),
)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
