"""Run as a separate process by test_migrations (tortoise keeps one global context per
process): builds a database at the first migration, writes rows, upgrades, prints counts."""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise import connections

from models import db
from models.config import load_settings

ROWS = [
    "INSERT INTO accounts (id, username, display_name, email, password_hash, locale, role, state,"
    " bio, created_at) VALUES (1, 'maelle', '', 'm@x.org', 'h', 'fr', 'user', 'active', '',"
    " '2026-01-01 00:00:00')",
    "INSERT INTO twinnings (id, slug, title_map, summary_map, description_map, primary_language,"
    " fields_of_action, countries, languages, phase, join_policy, licence, search_text,"
    " created_by_id, created_at, updated_at) VALUES (1, 'tw', '{\"fr\": \"T\"}', '{}', '{}', 'fr',"
    " '[]', '[]', '[\"fr\"]', 'agreement', 'open', 'CC-BY-SA-4.0', 't', 1,"
    " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO memberships (id, twinning_id, account_id, role, state, created_at) VALUES"
    " (1, 1, 1, 'admin', 'accepted', '2026-01-01 00:00:00')",
    "INSERT INTO content_items (id, kind, twinning_id, author_id, visibility, title_map,"
    " content_map, primary_language, search_text, created_at) VALUES (1, 'update', 1, 1,"
    " 'partners', '{}', '{\"fr\": \"secret\"}', 'fr', 'secret', '2026-01-01 00:00:00')",
    "INSERT INTO audiences (id, item_id, kind, twinning_id) VALUES (1, 1, 'members', 1)",
]
TABLES = ("accounts", "twinnings", "memberships", "content_items", "audiences", "handles")


async def main(url: str, data_dir: str) -> None:
    settings = load_settings({"JUMELAGE_DATA_DIR": data_dir, "JUMELAGE_DATABASE_URL": url})
    await db.migrate(settings, target="models.0001_initial")
    await db.close()
    await db.connect(settings)
    pending_before = await db.pending_migrations(settings)
    conn = connections.get("default")
    for sql in ROWS:
        await conn.execute_query(sql)
    await db.close()
    await db.migrate(settings)
    await db.close()
    await db.connect(settings)
    conn = connections.get("default")
    counts = {
        t: (await conn.execute_query(f"SELECT COUNT(*) AS n FROM {t}"))[1][0]["n"] for t in TABLES
    }
    invitations = (await conn.execute_query("SELECT COUNT(*) AS n FROM invitations"))[1][0]["n"]
    print(
        json.dumps(
            {
                "pending_before": pending_before,
                "counts": counts,
                "invitations": invitations,
                "pending_after": await db.pending_migrations(settings),
            }
        )
    )
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
