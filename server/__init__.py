"""The HTTP side: Starlette app, web UI, Mastodon client API, and the CLI."""

from server import params

params.register()  # route convertors must exist before any route module builds its routes
