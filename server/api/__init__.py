"""The Mastodon client API (DESIGN.md section 5): OAuth, instance, accounts, statuses,
timelines, notifications, search, media. Every endpoint goes through ``core.endpoint``, which
authenticates, checks the scope and turns every error into Mastodon's ``{"error": ...}``."""
