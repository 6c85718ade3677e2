"""Tokens sealed at rest: a stolen database file holds no token anyone can use.

Fernet (AES with an HMAC) from ``cryptography``. Several keys, newest first, make
rotation safe: the newest seals, every key opens, so tokens sealed before a
rotation still work until ``reseal`` (``python -m bot workspaces --reseal``)
seals them again with the newest key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealError(Exception):
    """A sealed token none of the keys opens: the key it was sealed with is gone."""


def new_key() -> str:
    """A fresh key for ``HOTLEADS_ENCRYPTION_KEY`` (what ``python -m bot keygen`` prints)."""
    return Fernet.generate_key().decode("ascii")


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        """Raises ``ValueError`` unless every key is a Fernet key (and there is one)."""
        if not keys:
            raise ValueError("no encryption key")
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def seal(self, secret: str | None) -> str | None:
        return None if secret is None else self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            raise SealError(
                "a stored token can't be opened with HOTLEADS_ENCRYPTION_KEY: "
                "keep the old key in the list (after the new one) until `workspaces --reseal` ran"
            ) from None

    def reseal(self, sealed: str | None) -> str | None:
        """The same secret sealed with the newest key."""
        if sealed is None:
            return None
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SealError("a stored token can't be opened with HOTLEADS_ENCRYPTION_KEY") from None
