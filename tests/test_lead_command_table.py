"""Every command the grammar can return has exactly one function answering it."""

from __future__ import annotations

import dataclasses
import inspect

from bot.domain import grammar
from handlers.lead_command import COMMANDS


def test_every_command_type_has_a_handler():
    types = {
        value
        for value in vars(grammar).values()
        if inspect.isclass(value)
        and dataclasses.is_dataclass(value)
        and value.__module__ == grammar.__name__
        and value is not grammar.LeadRef
        and not value.__name__.startswith("_")
    }
    assert types, "no command types found: the test would pass for nothing"
    assert set(COMMANDS) == types
