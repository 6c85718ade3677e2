"""Every command the grammar can return has exactly one function answering it, and every
first word the grammar reads is served, once the features are registered as the app does."""

from __future__ import annotations

import typing

import pytest
from slack_bolt.async_app import AsyncApp

import handlers
from bot.domain import grammar
from handlers import subcommands


@pytest.fixture
def table() -> subcommands.Subcommands:
    app = AsyncApp(signing_secret="secret", token="xoxb-test")
    handlers.register_all(app)
    return subcommands.of(app)


def test_every_command_type_has_a_handler(table):
    # ``parse`` returns a ``Command``, and mypy holds every parser in ``PARSERS`` to it.
    types = set(typing.get_args(grammar.Command))
    assert types, "no command types found: the test would pass for nothing"
    assert table.answered == types


def test_the_app_reads_every_first_word_the_grammar_reads(table):
    assert table.names == frozenset(grammar.PARSERS)


def test_a_subcommand_served_twice_is_refused_at_start_up(table):
    with pytest.raises(ValueError, match="served twice"):
        table.add(subcommands.Subcommand("snooze", grammar.parse, ()))
