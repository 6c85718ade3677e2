"""The OpenAPI 3.1 document of a generic hook, generated from the very models that decode it.

``python -m bot openapi > docs/inbound-api.json`` writes it; a test fails when
the shipped file and this disagree.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from bot.domain.rate_limit import PER_MINUTE
from handlers.hook_payloads import MAX_BODY, InboundLead, Refused, Stored

REF = "#/components/schemas/{name}"


def document() -> dict[str, Any]:
    (lead, stored, refused), schemas = msgspec.json.schema_components(
        [InboundLead, Stored, Refused], ref_template=REF
    )

    def refusal(description: str, **extra: Any) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": refused}},
            **extra,
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hotleads inbound hooks",
            "version": "1",
            "description": "Send a lead and what they did (asked for a quote, booked a demo) "
            "to a generic hook; it is matched to an existing lead by email, then name and "
            "company, or added. Nothing is stored unless the answer is 200.",
        },
        "paths": {
            "/hooks/{hook_id}": {
                "post": {
                    "operationId": "receiveLead",
                    "summary": "Store a lead's signal",
                    "security": [{"bearer": []}, {"standardWebhooks": []}],
                    "parameters": [
                        _path("hook_id", "The hook's id, from `python -m bot hooks new`."),
                        _header("Idempotency-Key", "Same as the body's `id`."),
                        _header(
                            "webhook-id", "Standard Webhooks message id; also an idempotency key."
                        ),
                        _header(
                            "webhook-timestamp",
                            "Standard Webhooks: Unix seconds, at most 5 minutes old.",
                        ),
                        _header(
                            "webhook-signature",
                            "Standard Webhooks: `v1,<base64 HMAC>` made with the hook's secret.",
                        ),
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": lead},
                            "application/x-www-form-urlencoded": {"schema": lead},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Stored, or already stored (`duplicate`).",
                            "content": {"application/json": {"schema": stored}},
                        },
                        "400": refusal("The body can't be a lead; `field` names the culprit."),
                        "401": refusal("The secret or signature is missing or wrong."),
                        "404": refusal("No such hook, or it was revoked."),
                        "413": refusal(f"The body is over {MAX_BODY // 1024} KiB."),
                        "415": refusal("Not JSON or form data."),
                        "429": refusal(
                            f"Over the hook's rate ({PER_MINUTE} a minute).",
                            headers={
                                "Retry-After": {
                                    "description": "Seconds to wait.",
                                    "schema": {"type": "integer"},
                                }
                            },
                        ),
                    },
                }
            }
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The hook's secret."},
                "standardWebhooks": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "webhook-signature",
                    "description": "Standard Webhooks signature headers, signed with the hook's secret.",
                },
            },
        },
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def text() -> str:
    """The document as shipped: stable key order, one trailing newline."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
