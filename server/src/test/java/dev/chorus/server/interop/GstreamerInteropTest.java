package dev.chorus.server.interop;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GStreamer's webrtcbin (Debian gstreamer1.0-plugins-bad with gstreamer1.0-nice, driven from Python through
 * GObject introspection) as a Chorus participant inside a network namespace, paired with real Chromium: GStreamer
 * encodes a live VP8 pattern and an Opus tone and Chromium decodes them; Chromium publishes its fake camera and
 * microphone and GStreamer DECODES them (decodebin). GStreamer's DTLS certificate is always RSA 2048 and OpenSSL 3
 * signs its CertificateVerify with RSA-PSS: this pair is the end-to-end proof of issue 13 defect 1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GstreamerInteropTest extends NamespacedStackTest {
    static final List<String> CLIENT = List.of(Stacks.PYTHON.toString(), "-u", "gstreamer-client.py");

    @BeforeAll
    static void requireStack() {
        Stacks.requirePythonModules("python3-gi gir1.2-gst-plugins-bad-1.0 gstreamer1.0-plugins-bad gstreamer1.0-nice "
                + "gstreamer1.0-plugins-good python3-websockets", "websockets",
                "gi; gi.require_version('GstWebRTC', '1.0'); from gi.repository import Gst, GstWebRTC; Gst.init(None); "
                + "assert Gst.ElementFactory.find('webrtcbin') and Gst.ElementFactory.find('nicesrc') "
                + "and Gst.ElementFactory.find('vp8enc') and Gst.ElementFactory.find('opusenc')");
    }

    @Test
    void gstreamerAndChromiumDecodeEachOtherOverUdp() throws Exception {
        exchange("gstreamer", "gst-udp", "all", CLIENT);
    }

    /** Relay-only through Chorus's TURN, whose media address is a private one (issue 13 defect 3: the relay must permit it). */
    @Test
    void gstreamerAndChromiumDecodeEachOtherThroughTheTurnRelay() throws Exception {
        exchange("gstreamer", "gst-relay", "relay", CLIENT);
    }

    /**
     * The stack stays while its only publisher leaves and a new one joins, and receives the new one (issue 13,
     * finding B). webrtcbin 1.22 cannot re-activate a transceiver once it was negotiated inactive ("transceiver
     * direction changes are not implemented"), so it answers the SFU's reused (formerly inactive) sections inactive;
     * the SFU then offers the new publisher's tracks in fresh sections, which webrtcbin accepts and decodes.
     */
    @Test
    void gstreamerKeepsReceivingAfterItsOnlyPublisherLeftAndANewOneJoined() throws Exception {
        rejoin("gstreamer", "gstreamer-rejoin", CLIENT);
    }

}
