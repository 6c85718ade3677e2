"""A Typeform submission as a lead: answers by field ``ref``, then by answer type, then hidden fields.

Shapes from Typeform's documented webhook payload
(https://www.typeform.com/developers/webhooks/example-payload/); every other
part of it is ignored.
"""

from __future__ import annotations

from typing import Any

import msgspec

from handlers.hook_payloads import InboundError, InboundLead, json_of

REFS = ("name", "first_name", "last_name", "email", "company", "phone")
BY_TYPE = {"email": "email", "phone_number": "phone"}
"""Answer types that say what they are whatever the question's ref."""


class Field(msgspec.Struct):
    ref: str = ""
    type: str = ""


class Answer(msgspec.Struct):
    type: str = ""
    field: Field = msgspec.field(default_factory=Field)
    text: str | None = None
    email: str | None = None
    phone_number: str | None = None

    def value(self) -> str | None:
        return {"text": self.text, "email": self.email, "phone_number": self.phone_number}.get(
            self.type
        )


class Definition(msgspec.Struct):
    title: str = ""


class FormResponse(msgspec.Struct):
    submitted_at: str | None = None
    answers: list[Answer] = []
    hidden: dict[str, Any] = {}
    definition: Definition = msgspec.field(default_factory=Definition)


class Submission(msgspec.Struct):
    event_id: str
    form_response: FormResponse
    event_type: str = "form_response"


SENT_AS = {"at": "form_response.submitted_at", "id": "event_id"}
"""Where Typeform puts what a refusal names, for the ``field`` of the answer."""


def read(raw: bytes) -> InboundLead:
    try:
        submission = msgspec.convert(json_of(raw), Submission)
    except msgspec.ValidationError as error:
        raise InboundError(f"This is not a Typeform submission: {error}.") from None
    except UnicodeEncodeError:  # msgspec met half an emoji where it wanted something else
        raise InboundError(
            "This is not a Typeform submission: it holds a broken character."
        ) from None
    response = submission.form_response
    found: dict[str, str] = {}
    for answer in response.answers:
        value = answer.value()
        if value and answer.field.ref in REFS:
            found.setdefault(answer.field.ref, value)
    for answer in response.answers:
        value = answer.value()
        if value and answer.type in BY_TYPE:
            found.setdefault(BY_TYPE[answer.type], value)
    for ref in REFS:
        hidden = response.hidden.get(ref)
        if isinstance(hidden, str) and hidden:
            found.setdefault(ref, hidden)
    title = response.definition.title
    return InboundLead(
        **found,
        note=f"Typeform: {title}" if title else None,
        at=response.submitted_at,
        id=submission.event_id,
    )
