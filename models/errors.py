"""Errors of the data layer. Each carries the field at fault and a message safe to show; the web
layer translates the message and maps the type to an HTTP status in one place."""

from __future__ import annotations


class ModelError(Exception):
    status = 400

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(f"{field}: {message % params if params else message}")
        self.field = field
        self.message = message
        self.params = params


class Invalid(ModelError):
    """Input that breaks a rule of the domain (a bad slug, a too long text)."""

    status = 400


class Conflict(ModelError):
    """Input that clashes with what exists (a taken name)."""

    status = 409


class NotAllowed(ModelError):
    """The actor may not do this (a member approving a join request)."""

    status = 403


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogues; the web layer translates it."""
    return message
