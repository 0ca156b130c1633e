"""A Chorus participant on aiortc (Python, Debian's python3-aiortc): publishes the recorded VP8 video and Opus audio
(decoded and re-encoded by aiortc's own libvpx/libopus pipeline) and subscribes to everyone else, DECODING what it
receives (aiortc's receivers decode VP8 and Opus). Gathers no loopback candidates: run it in a network namespace.
  python3 aiortc-client.py --base https://ADDR:PORT/ --room R --identity ID [--policy all|relay] [--cert ecdsa|rsa]
         [--seconds 60]
Prints JSON lines: joined, stats (every 500 ms), error."""
import asyncio
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import aiortc.rtcicetransport as rtcicetransport  # noqa: E402
from aioice import TransportPolicy  # noqa: E402
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription  # noqa: E402
from aiortc.contrib.media import MediaPlayer  # noqa: E402
from aiortc.rtcdtlstransport import RTCCertificate  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from OpenSSL import crypto  # noqa: E402

from chorus_signaling import Signaling, dev_token, parse_args, report, turn_udp  # noqa: E402

MEDIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media")
args = parse_args(sys.argv[1:])
policy = args.get("policy", "all")

if args.get("cert") == "rsa":
    # aiortc always makes a P-256 certificate; give it an RSA one (OpenSSL 3 then signs CertificateVerify with RSA-PSS)
    def rsa_certificate(cls):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aiortc-rsa")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
        return cls(key=crypto.PKey.from_cryptography_key(key), cert=crypto.X509.from_cryptography(cert))
    RTCCertificate.generateCertificate = classmethod(rsa_certificate)

if policy == "relay":
    # aiortc 1.4 has no iceTransportPolicy; aioice has: gather and use relay candidates only
    _Connection = rtcicetransport.Connection
    rtcicetransport.Connection = lambda **kw: _Connection(transport_policy=TransportPolicy.RELAY, **kw)


async def main():
    token = dev_token(args["base"], args["room"], args["identity"])
    sig = Signaling(args["base"])
    joined = await sig.join(args["room"], token)
    report("joined", participantId=joined["participantId"])
    turn = turn_udp(joined) if policy == "relay" else None
    config = RTCConfiguration(iceServers=[RTCIceServer(urls=turn[0], username=turn[1], credential=turn[2])] if turn else [])

    # ---- subscribe: decode everything, count decoded frames per publisher ----
    received = {}
    mid_owner = {}
    sub = None

    async def consume(track, mid):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            owner = mid_owner.get(mid)
            if not owner:
                continue
            r = received.setdefault(owner, {"video": {"frames": 0, "keyframes": 0, "invalid": 0, "width": 0, "height": 0},
                                            "audio": {"packets": 0, "invalid": 0, "samples": 0}})
            if track.kind == "video":
                r["video"]["frames"] += 1
                r["video"]["keyframes"] = 1  # a decoded frame implies a keyframe was decoded first
                r["video"]["width"], r["video"]["height"] = frame.width, frame.height
            else:
                r["audio"]["packets"] += 1
                r["audio"]["samples"] += frame.samples

    async def on_offer(m):
        nonlocal sub
        report("offer", tracks=len(m["tracks"]))
        mid_owner.clear()
        mid_owner.update({t["mid"]: t["participantId"] for t in m["tracks"]})
        if sub is None:
            sub = RTCPeerConnection(config)

            @sub.on("track")
            def on_track(track):
                mid = next((t.mid for t in sub.getTransceivers() if t.receiver.track is track), None)
                report("track", kind=track.kind, mid=mid)
                asyncio.ensure_future(consume(track, mid))
        await sub.setRemoteDescription(RTCSessionDescription(sdp=m["sdp"], type="offer"))
        await sub.setLocalDescription(await sub.createAnswer())
        await sig.send({"type": "subscriberAnswer", "sdp": sub.localDescription.sdp})
        report("answered", sdp=sub.localDescription.sdp if args.get("debug") else None)

    sig.on("subscriberOffer", on_offer)
    answered = asyncio.get_event_loop().create_future()
    sig.on("publishAnswer", lambda m: answered.set_result(m) if not answered.done() else None)
    serving = asyncio.ensure_future(sig.serve())

    # ---- publish: the recorded media, decoded and re-encoded by aiortc, looped ----
    pub = RTCPeerConnection(config)
    video = MediaPlayer(os.path.join(MEDIA, "video.ivf"), loop=True)
    audio = MediaPlayer(os.path.join(MEDIA, "audio.ogg"), loop=True)
    pub.addTransceiver(video.video, direction="sendonly")
    pub.addTransceiver(audio.audio, direction="sendonly")
    await pub.setLocalDescription(await pub.createOffer())
    await sig.send({"type": "publish", "sdp": pub.localDescription.sdp})
    answer = await answered
    await pub.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))

    async def stats():
        while True:
            report("stats", publish=pub.connectionState, subscribe=sub.connectionState if sub else "none",
                   received=received)
            await asyncio.sleep(0.5)
    asyncio.ensure_future(stats())
    try:
        await asyncio.wait_for(serving, timeout=float(args.get("seconds", "60")))
    except asyncio.TimeoutError:
        pass
    await pub.close()
    if sub:
        await sub.close()


asyncio.run(main())
