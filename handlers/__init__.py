"""Slack in and out: every Bolt listener and all Block Kit lives below here."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import lead_command, lead_subcommands, log_submit, reminders, settings_command

LISTENERS = (lead_command, log_submit, reminders)
SUBCOMMANDS = (lead_subcommands, settings_command)  # imported for their @subcommand registrations


def register_all(app: AsyncApp) -> None:
    for module in LISTENERS:
        module.register(app)
