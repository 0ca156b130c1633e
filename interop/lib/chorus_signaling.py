"""Shared parts of the Python interop clients (aiortc, GStreamer webrtcbin): Chorus's WebSocket protocol
(docs/protocol.md) with the test server's self-signed certificate, dev tokens, and JSON-line reports to the test."""
import asyncio
import json
import ssl
import urllib.request

import websockets

INSECURE = ssl.create_default_context()
INSECURE.check_hostname = False
INSECURE.verify_mode = ssl.CERT_NONE  # the test server's own self-signed certificate


def report(event, **fields):
    print(json.dumps({"event": event, **fields}, separators=(",", ":")), flush=True)


def parse_args(argv):
    out = {}
    for i in range(0, len(argv), 2):
        if not argv[i].startswith("--"):
            raise SystemExit("bad argument " + argv[i])
        out[argv[i][2:]] = argv[i + 1]
    return out


def dev_token(base, room, identity):
    req = urllib.request.Request(base + "dev/token", method="POST",
                                 data=json.dumps({"room": room, "identity": identity}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=INSECURE, timeout=10) as r:
        return json.loads(r.read())["token"]


def turn_udp(joined):
    """The first TURN-over-UDP URL of `joined` with its REST credential: (url, username, credential) or None."""
    for s in joined.get("iceServers", []):
        for url in ([s["urls"]] if isinstance(s["urls"], str) else s["urls"]):
            if url.startswith("turn:") and url.endswith("transport=udp"):
                return url, s["username"], s["credential"]
    return None


class Signaling:
    """The participant WebSocket: join, then handlers by message type (coroutines), one at a time in order."""

    def __init__(self, base):
        self.url = base.replace("https://", "wss://") + "v1/ws"
        self.handlers = {}
        self.ws = None

    def on(self, type_, handler):
        self.handlers[type_] = handler

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def join(self, room, token):
        self.ws = await websockets.connect(self.url, ssl=INSECURE, max_size=2 ** 20)
        await self.send({"type": "join", "room": room, "token": token})
        while True:
            m = json.loads(await self.ws.recv())
            if m["type"] == "joined":
                return m

    async def serve(self):
        async def pinger():
            while True:
                await asyncio.sleep(15)
                await self.send({"type": "ping"})
        ping = asyncio.ensure_future(pinger())
        try:
            async for raw in self.ws:
                m = json.loads(raw)
                if m["type"] == "error":
                    report("error", code=m.get("code"), message=m.get("message"))
                h = self.handlers.get(m["type"])
                if h:
                    try:
                        result = h(m)
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception as e:  # report and go on: the test decides
                        report("error", code="client", message=repr(e))
        finally:
            ping.cancel()
