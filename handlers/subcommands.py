"""The ``/lead`` table: which first word each feature serves, and who answers what it parses to.

A feature declares its subcommands (``SUBCOMMANDS``: name, parser, answers) and its
``register(app)`` adds them to the app's table; the dispatcher reads the table and
knows no feature. ``Answer.of`` holds a command type and its handler to each other,
so mypy checks that a handler receives its own command type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from slack_bolt.async_app import AsyncApp

from bot.domain.grammar.help import Help, unknown_help
from bot.domain.grammar.reader import Word, tokenize
from handlers.invocation import Handler

C = TypeVar("C")

Parser = Callable[[list[Word]], object]
"""Reads the words after the subcommand's name into a typed command, or raises GrammarError."""


@dataclass(frozen=True)
class Answer:
    """A parsed command type and the function that answers it: made by ``Answer.of``."""

    command: type
    handler: Handler[Any]

    @classmethod
    def of(cls, command: type[C], handler: Handler[C]) -> Answer:
        """Held to each other here: mypy refuses a handler that takes another command type."""
        return cls(command, handler)


@dataclass(frozen=True)
class Subcommand:
    """``/lead <name>``: the parser of the rest, and an answer for each type it parses to."""

    name: str
    parse: Parser
    answers: tuple[Answer, ...]
    aliases: tuple[str, ...] = ()


class Subcommands:
    """One app's table, filled by the features' ``register(app)``; a name or a type served
    twice is a mistake in the wiring, refused at start-up."""

    def __init__(self) -> None:
        self._parsers: dict[str, Parser] = {}
        self._handlers: dict[type, Handler[Any]] = {}

    def add(self, *subcommands: Subcommand) -> None:
        for sub in subcommands:
            for name in (sub.name, *sub.aliases):
                if name in self._parsers:
                    raise ValueError(f"/lead {name} is served twice")
                self._parsers[name] = sub.parse
            for answer in sub.answers:
                if answer.command in self._handlers:
                    raise ValueError(f"{answer.command.__name__} is answered twice")
                self._handlers[answer.command] = answer.handler

    def parse(self, text: str) -> object:
        """The typed command; nothing or an unknown first word asks for help, never fails."""
        words = tokenize(text)
        first = words[0].text.strip() if words else ""
        if not first:
            return Help()
        parser = self._parsers.get(first.lower())
        return unknown_help(first) if parser is None else parser(words[1:])

    def handler(self, command: C) -> Handler[C]:
        return self._handlers[type(command)]

    @property
    def answered(self) -> frozenset[type]:
        """Every command type with a handler."""
        return frozenset(self._handlers)

    @property
    def names(self) -> frozenset[str]:
        """Every first word served."""
        return frozenset(self._parsers)


_TABLES: WeakKeyDictionary[AsyncApp, Subcommands] = WeakKeyDictionary()


def of(app: AsyncApp) -> Subcommands:
    """The app's table, made empty on first use."""
    return _TABLES.setdefault(app, Subcommands())
