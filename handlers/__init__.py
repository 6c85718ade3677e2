"""Slack in and out: every Bolt listener and all Block Kit lives below here.

One module per feature a rep would name; each ends in ``register(app)``, and
``register_all`` calls them all, in the order of ``FEATURES``.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    add,
    assign,
    card,
    close,
    digest,
    edit,
    events,
    export,
    history,
    home,
    hook_alerts,
    hooks,
    lead_command,
    lists,
    log,
    next_steps,
    notifications,
    relay,
    report,
    settings,
    shortcut,
    snooze,
    workflow_steps,
)

FEATURES = (
    events,
    lead_command,
    add,
    log,
    card,
    lists,
    snooze,
    edit,
    close,
    assign,
    history,
    next_steps,
    settings,
    digest,
    export,
    hooks,
    report,
    home,
    notifications,
    shortcut,
    hook_alerts,
    relay,
    workflow_steps,
)
"""Modules with listeners or ``/lead`` subcommands; ``events`` first, so retries are answered
before anything runs."""


def register_all(app: AsyncApp) -> None:
    for module in FEATURES:
        module.register(app)
