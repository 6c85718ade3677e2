"""Every command the grammar can return has exactly one function answering it."""

from __future__ import annotations

import typing

from bot.domain import grammar
from handlers.lead_command import COMMANDS


def test_every_command_type_has_a_handler():
    # ``parse`` returns a ``Command``, and mypy holds every parser in ``PARSERS`` to it.
    types = set(typing.get_args(grammar.Command))
    assert types, "no command types found: the test would pass for nothing"
    assert set(COMMANDS) == types
