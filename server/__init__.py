"""The HTTP side: Starlette app, web UI, (later) Mastodon client API, and the CLI."""
