"""What browsers ask of a site besides its pages: the web app manifest (so that a phone can
put the instance on its home screen, under the instance's name) and ``/favicon.ico``."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parents[3] / "static"
THEME = "#0a6e5c"  # the accent colour of static/css/jumelage.css
BACKGROUND = "#fbfaf7"
ICONS = [
    {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
    {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
    {
        "src": "/static/icons/maskable-512.png",
        "sizes": "512x512",
        "type": "image/png",
        "purpose": "maskable",
    },
]


async def manifest(request: Request) -> Response:
    name = request.app.state.settings.instance_name
    document = {
        "name": name,
        "short_name": name[:12],
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": ICONS,
    }
    headers = {"Cache-Control": "public, max-age=3600"}
    return JSONResponse(document, media_type="application/manifest+json", headers=headers)


async def favicon(request: Request) -> Response:
    headers = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers=headers)


routes = [
    Route("/manifest.webmanifest", manifest),
    Route("/favicon.ico", favicon),
]
