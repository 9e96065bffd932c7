"""The inbox row of ``bench.http``: signed ``Create`` activities, each signed once beforehand
(so the load generator signs nothing while it runs), replayed by ``wrk`` through a Lua
script, each thread taking every other activity so no two requests repeat one. The actors
are served by ``bench.sink``, which the server asks once per actor for its key."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.common import sink
from federation.signatures import generate_keypair, sign_request

ACTORS = 50
THREADS = 2


def _create(base: str, sink_base: str, n: int, private_pem: str) -> tuple[dict[str, str], str]:
    actor = f"{sink_base}/users/a{n % ACTORS}"
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "Create",
        "id": f"{sink_base}/creates/{n}",
        "actor": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "type": "Note",
            "id": f"{sink_base}/notes/{n}",
            "attributedTo": actor,
            "content": f"<p>Note {n}</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        },
    }
    body = json.dumps(activity)
    headers = sign_request("POST", f"{base}/inbox", f"{actor}#main-key", private_pem, body.encode())
    headers["content-type"] = "application/activity+json"
    # wrk adds its own "Host" unless the table has that exact key: two Host lines are a 400.
    headers["Host"] = headers.pop("host")
    return headers, body


def _lua(requests: list[tuple[dict[str, str], str]]) -> str:
    def text(value: str) -> str:
        assert "]==]" not in value
        return f"[==[{value}]==]"

    items = ",\n".join(
        "{h={" + ",".join(f"[ {text(k)} ]={text(v)}" for k, v in h.items()) + "},b=" + text(b) + "}"
        for h, b in requests
    )
    return f"""local items = {{
{items}
}}
local counter = 0
function setup(thread)
  thread:set("first", counter)
  counter = counter + 1
end
local i = nil
function request()
  if i == nil then i = first end
  local item = items[(i % #items) + 1]
  i = i + {THREADS}
  return wrk.format("POST", "/inbox", item.h, item.b)
end
"""


class InboxLoad:
    """A sink serving the actors, and the script of ``count`` signed activities."""

    def __init__(self, base: str, sink_port: int, count: int) -> None:
        public_pem, private_pem = generate_keypair()
        folder = Path(tempfile.mkdtemp())
        (folder / "public.pem").write_text(public_pem)
        self.sink = sink(sink_port, BENCH_PUBLIC_PEM=str(folder / "public.pem"))
        sink_base = f"http://127.0.0.1:{sink_port}"
        self.warm = [_create(base, sink_base, n, private_pem) for n in range(ACTORS)]
        timed = [_create(base, sink_base, n, private_pem) for n in range(ACTORS, count)]
        self.script = folder / "inbox.lua"
        self.script.write_text(_lua(timed))
