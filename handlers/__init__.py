"""Slack in and out: every Bolt listener and all Block Kit lives below here."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    add_modal,
    events,
    export_command,
    home,
    lead_buttons,
    lead_command,
    lead_subcommands,
    log_submit,
    settings_command,
    shortcut,
)

LISTENERS = (events, lead_command, add_modal, log_submit, lead_buttons, home, shortcut)
SUBCOMMANDS = (
    lead_subcommands,
    settings_command,
    export_command,
)  # imported for their @subcommand registrations


def register_all(app: AsyncApp) -> None:
    for module in LISTENERS:
        module.register(app)
