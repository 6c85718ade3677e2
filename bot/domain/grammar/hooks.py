"""``/lead hooks [new … | revoke ID]``: webhooks that bring leads in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.grammar.fields import known_kind
from bot.domain.grammar.reader import GrammarError, Word, short, split_options, user
from bot.domain.hooks import TYPES as HOOK_TYPES
from bot.domain.hooks import is_hook_id


@dataclass(frozen=True)
class Hooks:
    """List the workspace's inbound hooks."""


@dataclass(frozen=True)
class HooksNew:
    type: str = "generic"
    kind: str = ""
    """The kind of touch a delivery without ``kind`` logs; ``''``: the hooks' default."""
    owner: str = ""


@dataclass(frozen=True)
class HooksRevoke:
    hook_id: str


def parse_hooks(words: list[Word]) -> Hooks | HooksNew | HooksRevoke:
    action = words[0].text.strip().lower() if words else ""
    if not action:
        return Hooks()
    if action == "revoke":
        if len(words) != 2 or not is_hook_id(words[1].text.strip()):
            raise GrammarError(
                "Say which hook to revoke by its id, as `/lead hooks` lists it: "
                "`/lead hooks revoke Xy3…`."
            )
        return HooksRevoke(hook_id=words[1].text.strip())
    if action != "new":
        raise GrammarError(
            f"`/lead hooks` takes `new` or `revoke`, not “{short(words[0].text)}”. "
            "Try `/lead hooks new typeform kind:quote`."
        )
    rest, options = split_options(words[1:], frozenset({"kind", "owner"}))
    types = [word.text.strip().lower() for word in rest]
    if len(types) > 1 or (types and types[0] not in HOOK_TYPES):
        raise GrammarError(
            f"A hook is `generic`, `typeform` or `calendly`, not “{short(' '.join(types))}”."
        )
    kind = ""
    if "kind" in options:
        kind = known_kind(options["kind"].text) or ""
        if not kind:
            raise GrammarError(
                f"“{short(options['kind'].text)}” isn't a kind of touch. "
                "Try `kind:quote`, `kind:trial`, `kind:demo` or `kind:download`."
            )
    owner = ""
    if "owner" in options:
        owner = user(Word(options["owner"].raw), "owner:@maria")
    return HooksNew(type=types[0] if types else "generic", kind=kind, owner=owner)
