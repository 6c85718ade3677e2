"""Links to Slack messages, of the shape ``chat.getPermalink`` returns, and nothing else.

A permalink travels in a modal's ``private_metadata``, which a tampered payload can
set to anything (``<https://evil.example|click> <!channel>``); only a link of Slack's
shape is kept at the door and only such a link is ever rendered.
"""

from __future__ import annotations

import re

MAX_LENGTH = 500
_PERMALINK = re.compile(
    r"https://[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*\.slack\.com"  # acme., acme.enterprise.
    r"/archives/[A-Z0-9]{2,30}/p[0-9]{10,20}"  # channel, message ts without its dot
    r"(?:\?[A-Za-z0-9_.=&%-]{1,200})?",  # thread_ts=...&cid=... for replies
    re.ASCII,
)


def checked(link: object) -> str:
    """``link`` if it is a Slack message permalink, else ``""``."""
    if isinstance(link, str) and len(link) <= MAX_LENGTH and _PERMALINK.fullmatch(link):
        return link
    return ""


def message_link(link: str) -> str:
    """`` (<permalink|message>)`` for a checked permalink, nothing for anything else."""
    url = checked(link)
    return f" (<{url}|message>)" if url else ""
