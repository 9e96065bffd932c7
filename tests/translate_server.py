"""A small server speaking the LibreTranslate API (``POST /translate``) for tests: it
"translates" by tagging the text with the target language, checks the API key, and can be told
to fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-key"


class _Handler(BaseHTTPRequestHandler):
    failing = False
    calls: list[dict[str, str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
        type(self).calls.append(body)
        if type(self).failing:
            self._answer(500, {"error": "engine down"})
        elif self.path != "/translate" or body.get("api_key") != API_KEY:
            self._answer(403, {"error": "Invalid API key"})
        else:
            self._answer(200, {"translatedText": f"[{body['target']}] {body['q']}"})

    def _answer(self, status: int, document: dict[str, str]) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def translate_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"failing": False, "calls": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
