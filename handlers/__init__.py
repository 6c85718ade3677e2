"""Slack in and out: every Bolt listener and all Block Kit lives below here.

One module per feature a rep would name; each ends in ``register(app)``, and
``register_all`` calls them all, in the order of ``FEATURES``.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    add,
    assign,
    close,
    events,
    history,
    home,
    hook_alerts,
    lead_command,
    log,
    notifications,
    relay,
    shortcut,
    snooze,
    workflow_steps,
)

FEATURES = (
    events,
    lead_command,
    add,
    log,
    snooze,
    close,
    assign,
    history,
    home,
    notifications,
    shortcut,
    hook_alerts,
    relay,
    workflow_steps,
)
"""Modules with listeners; ``events`` first, so retries are answered before anything runs."""


def register_all(app: AsyncApp) -> None:
    for module in FEATURES:
        module.register(app)
