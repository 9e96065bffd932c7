"""Errors of the federation layer, each with a message safe to send to the remote server;
``server/errors.py`` maps them to HTTP statuses."""

from __future__ import annotations


class FederationError(Exception):
    status = 400

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or message


class SignatureError(FederationError):
    """The request is unsigned, badly signed, or signed over too little."""

    status = 401


class OriginMismatch(FederationError):
    """An id claims an origin other than the signer's."""

    status = 403


class ActorSuspended(FederationError):
    """The actor was suspended by an admin here (its server and its other people are not)."""

    status = 403


class DomainBlocked(FederationError):
    """The actor, key or activity is on a domain the admin blocked."""

    status = 403
