"""A Chorus participant on GStreamer's webrtcbin (Debian gstreamer1.0-plugins-bad + libnice, DTLS through OpenSSL 3
with GStreamer's own RSA-2048 certificate, so CertificateVerify is signed with RSA-PSS: issue 13 defect 1).
Publishes a live VP8 test pattern and an Opus tone encoded by GStreamer (vp8enc, opusenc) and subscribes to everyone
else, DECODING what it receives (decodebin: vp8dec, opusdec). libnice gathers no loopback candidates: run it inside a
network namespace.
  python3 gstreamer-client.py --base https://ADDR:PORT/ --room R --identity ID [--policy all|relay] [--seconds 60]
Prints JSON lines: joined, offer, stats (every 500 ms), error."""
import asyncio
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

from chorus_signaling import Signaling, dev_token, parse_args, report, turn_udp  # noqa: E402

args = parse_args(sys.argv[1:])
policy = args.get("policy", "all")
Gst.init(None)

PUBLISH = """
webrtcbin name=pub bundle-policy=max-bundle
videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert
  ! vp8enc deadline=1 keyframe-max-dist=30 target-bitrate=300000 ! rtpvp8pay pt=96 mtu=1200 ! queue
  ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! pub.
audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ! queue
  ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! pub.
"""

loop = GLib.MainLoop()
signals = asyncio.new_event_loop()
sig = Signaling(args["base"])
received = {}
mid_owner = {}
dead_mids = set()


def send(message):
    """Hands a message to the signaling thread."""
    asyncio.run_coroutine_threadsafe(sig.send(message), signals)


def configure(webrtc, joined):
    if policy == "relay":
        turn = turn_udp(joined)
        if turn:
            host = turn[0][len("turn:"):].split("?")[0]
            user = urllib.parse.quote(turn[1], safe="")
            password = urllib.parse.quote(turn[2], safe="")
            webrtc.set_property("turn-server", "turn://%s:%s@%s" % (user, password, host))
        webrtc.set_property("ice-transport-policy", GstWebRTC.WebRTCICETransportPolicy.RELAY)


def when_gathered(webrtc, then):
    """Calls then(sdp text) once ICE gathering is complete (the SFU takes no trickled candidates)."""
    def check(*_):
        if webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE and not done[0]:
            done[0] = True
            then(webrtc.get_property("local-description").sdp.as_text())
    done = [False]
    webrtc.connect("notify::ice-gathering-state", check)
    GLib.idle_add(check)


def apply_local(promise, webrtc, field, message_type):
    """create-offer/create-answer done: set it as local description and send it once gathering is complete."""
    reply = promise.get_reply()
    if not reply or not reply.has_field(field):
        report("error", code="create-" + field, message=reply.to_string() if reply else "no reply")
        return
    def on_local_set(set_promise, _):
        # A refused local description must not be answered with the previous one (the server would take a stale
        # answer for a real one): report it and send nothing.
        set_reply = set_promise.get_reply()
        if set_reply and set_reply.has_field("error"):
            report("error", code="set-local-" + field, message=set_reply.to_string())
            return
        when_gathered(webrtc, lambda sdp: send({"type": message_type, "sdp": sdp}))
    webrtc.emit("set-local-description", reply.get_value(field), Gst.Promise.new_with_change_func(on_local_set, None))


def description(kind, text):
    _, sdp = GstSdp.SDPMessage.new_from_text(text)
    return GstWebRTC.WebRTCSessionDescription.new(kind, sdp)


# ---- publish ----
def start_publisher(joined):
    pipeline = Gst.parse_launch(PUBLISH)
    pub = pipeline.get_by_name("pub")
    configure(pub, joined)

    def negotiate(_):
        pub.emit("create-offer", None, Gst.Promise.new_with_change_func(apply_local, pub, "offer", "publish"))
    pub.connect("on-negotiation-needed", negotiate)
    pipeline.set_state(Gst.State.PLAYING)
    return pipeline, pub


# ---- subscribe ----
def start_subscriber(joined):
    pipeline = Gst.Pipeline.new("subscribe")
    sub = Gst.ElementFactory.make("webrtcbin", "sub")
    sub.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    configure(sub, joined)
    pipeline.add(sub)

    def on_decoded_pad(_, pad, mid):
        caps = pad.get_current_caps() or pad.query_caps(None)
        kind = "video" if caps.to_string().startswith("video/") else "audio"
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("signal-handoffs", True)
        sink.set_property("sync", False)

        def handoff(*_):
            owner = mid_owner.get(mid)
            if not owner:
                return
            r = received.setdefault(owner, {"video": {"frames": 0, "keyframes": 0, "invalid": 0},
                                            "audio": {"packets": 0, "invalid": 0}})
            if kind == "video":
                r["video"]["frames"] += 1
                r["video"]["keyframes"] = 1  # a decoded frame implies a decoded keyframe before it
            else:
                r["audio"]["packets"] += 1
        sink.connect("handoff", handoff)
        pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def on_pad(_, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        mid = pad.get_property("transceiver").get_property("mid")
        decode = Gst.ElementFactory.make("decodebin")
        decode.connect("pad-added", on_decoded_pad, mid)
        pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))
    sub.connect("pad-added", on_pad)
    pipeline.set_state(Gst.State.PLAYING)
    return pipeline, sub


state = {}


def keep_dead_transceivers_inactive(webrtc, offer):
    """webrtcbin 1.22 cannot re-activate a transceiver once negotiated inactive ("transceiver direction changes are
    not implemented", and its current-direction property only mirrors direction): remember the mids offered
    inactive and answer them inactive for good, so the SFU offers a new track in a fresh section instead
    (docs/interop.md, finding B)."""
    for i in range(offer.medias_len()):
        media = offer.get_media(i)
        if media.get_attribute_val("inactive") is not None:
            dead_mids.add(media.get_attribute_val("mid"))
    inactive = GstWebRTC.WebRTCRTPTransceiverDirection.INACTIVE
    for index in range(1000):
        transceiver = webrtc.emit("get-transceiver", index)
        if transceiver is None:
            break
        if transceiver.get_property("mid") in dead_mids:
            transceiver.set_property("direction", inactive)


def apply_offer(m):
    mid_owner.clear()
    mid_owner.update({t["mid"]: t["participantId"] for t in m["tracks"]})
    report("offer", tracks=len(m["tracks"]))
    if "sub" not in state:
        state["sub_pipeline"], state["sub"] = start_subscriber(state["joined"])
    sub = state["sub"]

    def on_remote_set(promise, _):
        reply = promise.get_reply()
        if reply and reply.has_field("error"):
            report("error", code="set-remote-offer", message=reply.to_string())
        keep_dead_transceivers_inactive(sub, offer.sdp)
        sub.emit("create-answer", None,
                 Gst.Promise.new_with_change_func(apply_local, sub, "answer", "subscriberAnswer"))
    offer = description(GstWebRTC.WebRTCSDPType.OFFER, m["sdp"])
    sub.emit("set-remote-description", offer,
             Gst.Promise.new_with_change_func(on_remote_set, None))
    return False


def apply_answer(m):
    state["pub"].emit("set-remote-description", description(GstWebRTC.WebRTCSDPType.ANSWER, m["sdp"]), Gst.Promise.new())
    return False


def stats():
    def connection(name):
        return state[name].get_property("connection-state").value_nick if name in state else "none"
    report("stats", publish=connection("pub"), subscribe=connection("sub"), received=received)
    return True


async def signaling():
    token = dev_token(args["base"], args["room"], args["identity"])
    joined = await sig.join(args["room"], token)
    report("joined", participantId=joined["participantId"], gstreamer=Gst.version_string())
    state["joined"] = joined

    async def on_offer(m):
        GLib.idle_add(apply_offer, m)

    async def on_answer(m):
        GLib.idle_add(apply_answer, m)
    sig.on("subscriberOffer", on_offer)
    sig.on("publishAnswer", on_answer)
    GLib.idle_add(lambda: state.update(zip(("pub_pipeline", "pub"), start_publisher(joined))) or False)
    await sig.serve()


def run_signaling():
    asyncio.set_event_loop(signals)
    try:
        signals.run_until_complete(signaling())
    except Exception as e:
        report("error", code="signaling", message=repr(e))
    GLib.idle_add(loop.quit)


threading.Thread(target=run_signaling, daemon=True).start()
GLib.timeout_add(500, stats)
GLib.timeout_add_seconds(int(args.get("seconds", "60")), loop.quit)
loop.run()
for name in ("pub_pipeline", "sub_pipeline"):
    if name in state:
        state[name].set_state(Gst.State.NULL)
