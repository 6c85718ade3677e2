"""Every payload Slack sends, parsed at the door into small typed values.

A missing field, a wrong type, an id not shaped like Slack's, a lead number that
can't be one or metadata that isn't ours is refused here, once, as ``Invalid``:
listeners only ever see checked values, and nothing is changed before the
whole payload has been read. Text a person typed goes through the one text
rule (``bot.domain.text.clean``) here too; text it refuses is ``BadText``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta, Struct

from bot.domain.slack_user import USER_ID_PATTERN
from bot.domain.slack_user import is_user_id as is_user_id  # the rule listeners read here
from bot.domain.text import UnreadableText, clean
from handlers import permalinks

MAX_LEAD_ID = 2**63 - 1
_LEAD_REF = re.compile(r"#([1-9][0-9]{0,18})")

UserId = Annotated[str, Meta(pattern=rf"^{USER_ID_PATTERN}\Z")]
ChannelId = Annotated[str, Meta(pattern=r"^[CDG][A-Z0-9]{1,20}\Z")]
TeamId = Annotated[str, Meta(pattern=r"^T[A-Z0-9]{1,20}\Z")]
EnterpriseId = Annotated[str, Meta(pattern=r"^E[A-Z0-9]{1,20}\Z")]
EventId = Annotated[str, Meta(pattern=r"^Ev[A-Za-z0-9]{1,40}\Z")]
MessageTs = Annotated[str, Meta(pattern=r"^[0-9]{10}\.[0-9]{6}\Z")]
TriggerId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9._-]{1,255}\Z")]
ResponseUrl = Annotated[str, Meta(pattern=r"^https?://[!-~]{1,2000}\Z")]
LeadNumber = Annotated[int, Meta(ge=1, le=MAX_LEAD_ID)]
"""A lead's number within the workspace the payload is signed for."""
RowId = Annotated[int, Meta(ge=1, le=MAX_LEAD_ID)]
Text = Annotated[str, Meta(max_length=40_000)]
OptionalChannel = Annotated[str, Meta(pattern=r"^(?:[CDG][A-Z0-9]{1,20})?\Z")]
OptionalTs = Annotated[str, Meta(pattern=r"^(?:[0-9]{10}\.[0-9]{6})?\Z")]

T = TypeVar("T")


class Invalid(Exception):
    """A payload the app can't have sent, or Slack can't have filled in: nothing changes."""


class BadText(Invalid):
    """Typed text the text rule refuses: told to the person in words, on ``field`` in a modal."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _typed(text: str, field: str, called: str | None = None) -> str:
    """``text`` by the one text rule; ``called`` is how the refusal names it, if not ``field``."""
    try:
        return clean(text, called or field)
    except UnreadableText as error:
        raise BadText(field, str(error)) from None


def lead_ref(number: int) -> str:
    """How a lead travels through Slack: its number in the workspace (``#12``), never a row id.

    The workspace comes from the signed payload, so a number can only ever name
    one of the clicker's own leads. A bare number is a button from before numbers
    travelled (it was a row id) and is refused as out of date.
    """
    return f"#{number}"


def lead_number(text: object) -> int:
    """The number in a ``lead_ref``: ``#`` and ASCII digits, positive, within 63 bits."""
    found = _LEAD_REF.fullmatch(text) if isinstance(text, str) else None
    if found is None or int(found[1]) > MAX_LEAD_ID:
        raise Invalid(f"not a lead: {text!r:.40}")
    return int(found[1])


def _convert(raw: Any, kind: type[T]) -> T:
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as error:
        raise Invalid(str(error)) from error
    except UnicodeEncodeError as error:  # half an emoji where an id or a pattern was wanted
        raise Invalid("a broken character") from error


def decoded(text: str, kind: type[T]) -> T:
    """Our own JSON (a button's value, a modal's metadata) read back as ``kind``, or Invalid."""
    return _decode(text, kind)


def _decode(text: str, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(text, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeEncodeError) as error:
        raise Invalid(str(error)) from error


# ------------------------------------------------------------------ what Slack sends


class _User(Struct):
    id: UserId
    team_id: TeamId | None = None


class _Team(Struct):
    id: TeamId


class _Channel(Struct):
    id: ChannelId


class _Container(Struct):
    type: str = ""
    channel_id: ChannelId | None = None
    message_ts: MessageTs | None = None
    is_ephemeral: bool = False


class _Block(Struct):
    block_id: str = ""


class _Message(Struct):
    blocks: list[_Block] | None = None
    text: Text = ""


class _Option(Struct):
    value: str


class _Action(Struct):
    action_id: str
    block_id: str = ""
    value: Text | None = None
    selected_option: _Option | None = None
    selected_user: str | None = None
    selected_date: str | None = None


class _ViewKind(Struct):
    type: str = ""


class _BlockActions(Struct, kw_only=True):
    user: _User
    actions: Annotated[list[_Action], Meta(min_length=1)]
    team: _Team | None = None
    container: _Container | None = None
    message: _Message | None = None
    trigger_id: TriggerId  # Slack sends one with every click; a modal can't open without it
    view: _ViewKind | None = None
    channel: _Channel | None = None
    response_url: ResponseUrl | None = None


class _StateValue(Struct):
    value: Text | None = None
    selected_option: _Option | None = None
    selected_user: str | None = None


class _State(Struct):
    values: dict[str, dict[str, _StateValue]]


class _View(Struct):
    state: _State
    team_id: TeamId | None = None
    private_metadata: Text = ""


class _ViewSubmission(Struct):
    user: _User
    view: _View
    team: _Team | None = None


class _Suggestion(Struct):
    user: _User
    team: _Team | None = None
    value: Text = ""


class _Shortcut(Struct):
    user: _User
    trigger_id: TriggerId
    channel: _Channel
    message_ts: MessageTs
    team: _Team | None = None
    message: _Message | None = None


class _HomeEvent(Struct):
    user: UserId
    tab: str = "home"


class _HomeOpened(Struct):
    team_id: TeamId
    event: _HomeEvent


class _Envelope(Struct):
    team_id: TeamId
    event_id: EventId


class _Command(Struct, kw_only=True):
    team_id: TeamId
    user_id: UserId
    channel_id: ChannelId | None = None
    trigger_id: TriggerId  # Slack sends one with every command; the forms open with it
    text: Text = ""


def _team_of(team: _Team | None, user: _User) -> str:
    team_id = team.id if team else user.team_id
    if team_id is None:
        raise Invalid("no team")
    return team_id


# ------------------------------------------------------------------ what listeners get


class Clicker(Struct, frozen=True):
    """Who clicked, in which workspace, and where the clicked thing is shown."""

    team_id: str
    user_id: str
    trigger_id: str
    channel_id: str
    message_ts: str
    in_message: bool
    is_ephemeral: bool
    on_home: bool
    block_ids: tuple[str, ...]


class Click(Struct, frozen=True):
    clicker: Clicker
    block_id: str
    value: str | None
    selected_value: str | None
    selected_user: str | None
    selected_date: str | None = None


def click(body: dict[str, Any]) -> Click:
    """A ``block_actions`` payload: its first action and the clicker."""
    raw = _convert(body, _BlockActions)
    container = raw.container or _Container()
    in_message = container.type == "message"
    if in_message and (container.channel_id is None or container.message_ts is None):
        raise Invalid("message container without channel or ts")
    blocks = (raw.message.blocks or []) if raw.message else []
    action = raw.actions[0]
    clicker = Clicker(
        team_id=_team_of(raw.team, raw.user),
        user_id=raw.user.id,
        trigger_id=raw.trigger_id,
        channel_id=container.channel_id or (raw.channel.id if raw.channel else ""),
        message_ts=container.message_ts or "",
        in_message=in_message,
        is_ephemeral=container.is_ephemeral,
        on_home=raw.view is not None and raw.view.type == "home",
        block_ids=tuple(block.block_id for block in blocks),
    )
    return Click(
        clicker=clicker,
        block_id=action.block_id,
        value=action.value,
        selected_value=action.selected_option.value if action.selected_option else None,
        selected_user=action.selected_user,
        selected_date=action.selected_date,
    )


class LeadClick(Struct, frozen=True):
    clicker: Clicker
    number: int


def lead_click(body: dict[str, Any]) -> LeadClick:
    """Log a touch, Won, Mark lost, Claim, Done: the button's value is the lead (``#12``)."""
    clicked = click(body)
    return LeadClick(clicked.clicker, lead_number(clicked.value))


class RelayClaim(Struct, frozen=True):
    clicker: Clicker
    number: int


def relay_claim(body: dict[str, Any]) -> RelayClaim:
    """A relay's Claim: the button's value is the lead (``#12``)."""
    clicked = click(body)
    return RelayClaim(clicked.clicker, lead_number(clicked.value))


class SnoozeClick(Struct, frozen=True):
    clicker: Clicker
    number: int
    days: str


def snooze_click(body: dict[str, Any], choices: frozenset[str]) -> SnoozeClick:
    """The Snooze select: ``#<number>:<days>``, days one of the offered ``choices``."""
    clicked = click(body)
    ref, _, days = (clicked.selected_value or "").partition(":")
    if days not in choices:
        raise Invalid(f"not a snooze choice: {days!r:.40}")
    return SnoozeClick(clicked.clicker, lead_number(ref), days)


class AssignClick(Struct, frozen=True):
    clicker: Clicker
    number: int
    owner: str


def assign_click(body: dict[str, Any], block_prefix: str) -> AssignClick:
    """The Reassign select on a card: the lead from the block id, the new owner checked."""
    clicked = click(body)
    if not clicked.block_id.startswith(block_prefix) or not is_user_id(clicked.selected_user):
        raise Invalid("reassign without a card or a user")
    ref = clicked.block_id.removeprefix(block_prefix)
    return AssignClick(clicked.clicker, lead_number(ref), str(clicked.selected_user))


class Pick(Struct, frozen=True):
    """What a match button of an ambiguous reply carries: the lead and the command."""

    lead: LeadNumber
    command: Annotated[str, Meta(max_length=2000)]


class PickClick(Struct, frozen=True):
    clicker: Clicker
    pick: Pick


def pick_click(body: dict[str, Any]) -> PickClick:
    clicked = click(body)
    pick = _decode(clicked.value or "", Pick)
    return PickClick(clicked.clicker, Pick(pick.lead, _typed(pick.command, "command")))


class TouchRef(Struct, frozen=True):
    """What a history button carries: the lead, one of its touches (none: paging), the page.

    A touch is only ever read as one of the lead's, and the lead only in the
    clicker's workspace.
    """

    number: LeadNumber
    touch: RowId | None = None
    offset: Annotated[int, Meta(ge=0, le=1_000_000)] = 0

    def dump(self) -> str:
        return msgspec.json.encode(self).decode()


class TouchClick(Struct, frozen=True):
    clicker: Clicker
    ref: TouchRef


def touch_click(body: dict[str, Any]) -> TouchClick:
    """Edit, Delete, Restore, Undo and the history's paging: the value is a ``TouchRef``."""
    clicked = click(body)
    return TouchClick(clicked.clicker, _decode(clicked.value or "", TouchRef))


class ToggleClick(Struct, frozen=True):
    clicker: Clicker
    show_team: bool


def toggle_click(body: dict[str, Any]) -> ToggleClick:
    clicked = click(body)
    if clicked.value not in ("team", "mine"):
        raise Invalid(f"not a Home view: {clicked.value!r:.40}")
    return ToggleClick(clicked.clicker, clicked.value == "team")


class InstantClick(Struct, frozen=True):
    clicker: Clicker
    on: bool


def instant_click(body: dict[str, Any]) -> InstantClick:
    """Home's instant alerts button: ``on`` or ``off``, what the rep turns them to."""
    clicked = click(body)
    if clicked.value not in ("on", "off"):
        raise Invalid(f"not an alerts choice: {clicked.value!r:.40}")
    return InstantClick(clicked.clicker, clicked.value == "on")


class AwayPick(Struct, frozen=True):
    clicker: Clicker
    until: date | None
    """``None``: back now (the I'm back button)."""


def away_pick(body: dict[str, Any]) -> AwayPick:
    """Home's "away until" date picker (a ``YYYY-MM-DD`` day), or its I'm back button."""
    clicked = click(body)
    if clicked.value == "back":
        return AwayPick(clicked.clicker, None)
    try:
        until = date.fromisoformat(clicked.selected_date or "")
    except ValueError:
        raise Invalid(f"not a day: {clicked.selected_date!r:.40}") from None
    if len(clicked.selected_date or "") != 10:
        raise Invalid(f"not a day: {clicked.selected_date!r:.40}")
    return AwayPick(clicked.clicker, until)


class Origin(Struct, frozen=True, omit_defaults=False, forbid_unknown_fields=True):
    """Where the Log a touch modal was opened from, carried in ``private_metadata``."""

    number: LeadNumber | None = None
    permalink: Annotated[str, Meta(max_length=2000)] = ""
    channel: OptionalChannel = ""
    ts: OptionalTs = ""
    reminder_numbers: tuple[LeadNumber, ...] = ()

    def dump(self) -> str:
        return msgspec.json.encode(self).decode()

    @classmethod
    def load(cls, text: str) -> Origin:
        """The metadata as sent, with a permalink kept only if it has Slack's shape."""
        origin = _decode(text, cls) if text else cls()
        return msgspec.structs.replace(origin, permalink=permalinks.checked(origin.permalink))


class Submission(Struct, frozen=True):
    """A modal submitted: who, where, its fields by block id, and its metadata."""

    team_id: str
    user_id: str
    fields: dict[str, str]
    users: dict[str, str]
    private_metadata: str


def submission(body: dict[str, Any]) -> Submission:
    """A ``view_submission``: text and select values by block, picked users kept apart.

    A picked user is kept as sent: the modal puts an id that isn't one on its field.
    """
    raw = _convert(body, _ViewSubmission)
    fields: dict[str, str] = {}
    users: dict[str, str] = {}
    for block, actions in raw.view.state.values.items():
        for state in actions.values():
            if state.selected_user is not None:
                users[block] = state.selected_user
            elif state.selected_option is not None:
                fields[block] = state.selected_option.value
            else:
                fields[block] = _typed(state.value or "", block, "field")
    return Submission(
        team_id=raw.view.team_id or _team_of(raw.team, raw.user),
        user_id=raw.user.id,
        fields=fields,
        users=users,
        private_metadata=raw.view.private_metadata,
    )


class LeadSearch(Struct, frozen=True):
    team_id: str
    user_id: str
    query: str


def lead_search(body: dict[str, Any]) -> LeadSearch:
    """A ``block_suggestion`` from the lead picker: what the rep has typed so far."""
    raw = _convert(body, _Suggestion)
    return LeadSearch(
        _team_of(raw.team, raw.user), raw.user.id, _typed(raw.value, "search").strip()
    )


class Shortcut(Struct, frozen=True):
    team_id: str
    user_id: str
    trigger_id: str
    channel_id: str
    message_ts: str
    text: str


def message_shortcut(body: dict[str, Any]) -> Shortcut:
    raw = _convert(body, _Shortcut)
    return Shortcut(
        team_id=_team_of(raw.team, raw.user),
        user_id=raw.user.id,
        trigger_id=raw.trigger_id,
        channel_id=raw.channel.id,
        message_ts=raw.message_ts,
        text=_typed(raw.message.text, "message") if raw.message else "",
    )


class HomeOpened(Struct, frozen=True):
    team_id: str
    user_id: str
    tab: str


def home_opened(body: dict[str, Any]) -> HomeOpened:
    raw = _convert(body, _HomeOpened)
    return HomeOpened(raw.team_id, raw.event.user, raw.event.tab)


class Delivery(Struct, frozen=True):
    """An Events API envelope: the workspace and the id Slack repeats on retries."""

    team_id: str
    event_id: str


def event_delivery(body: dict[str, Any]) -> Delivery:
    raw = _convert(body, _Envelope)
    return Delivery(raw.team_id, raw.event_id)


class Command(Struct, frozen=True):
    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str


def command(body: dict[str, Any]) -> Command:
    """A slash command form."""
    raw = _convert(body, _Command)
    text = _typed(raw.text, "command")
    return Command(raw.team_id, raw.user_id, raw.channel_id or "", text, raw.trigger_id)


class Where(Struct, frozen=True):
    """Where to tell the user something, read leniently from any payload; each part checked."""

    user_id: str | None
    channel_id: str | None
    response_url: str | None


_WHERE_PARTS: dict[str, Any] = {
    "user": UserId,
    "channel": ChannelId,
    "url": ResponseUrl,
}


def _checked(value: Any, part: str) -> str | None:
    try:
        checked: str = msgspec.convert(value, _WHERE_PARTS[part])
        return checked
    except (msgspec.ValidationError, UnicodeEncodeError):
        return None


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def where(body: Any) -> Where:
    """Never raises: a refusal must still find its way to whoever is waiting."""
    user = _checked(_get(body, "user", "id") or _get(body, "user_id"), "user")
    channel = _checked(
        _get(body, "container", "channel_id")
        or _get(body, "channel", "id")
        or _get(body, "channel_id"),
        "channel",
    )
    return Where(user, channel, _checked(_get(body, "response_url"), "url"))
