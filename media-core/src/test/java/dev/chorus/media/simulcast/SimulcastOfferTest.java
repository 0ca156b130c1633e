package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.SdpParser;
import org.junit.jupiter.api.Test;

/** Reading a publisher's simulcast offer (RFC 8851/8853) into layers in quality order and extension ids. */
class SimulcastOfferTest {
    /** The video section of a Chromium offer for sendEncodings [q, h, f] (SSRC-less, as Chromium writes it). */
    static String offer(String rids, String simulcast, boolean ridExtension) {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
                + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                + "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\na=setup:actpass\r\n"
                + "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + (ridExtension ? "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n" : "")
                + "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
                + "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                + rids + simulcast;
    }

    static MediaDescription video(String sdp) throws Exception {
        return SdpParser.parse(sdp).media().getFirst();
    }

    @Test
    void readsTheSdksQhfOfferInQualityOrder() throws Exception {
        MediaDescription m = video(offer("a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\n",
                "a=simulcast:send f;h;q\r\n", true));
        SimulcastOffer o = SimulcastOffer.of(m);
        assertThat(o.ridsLowToHigh()).containsExactly("q", "h", "f");
        assertThat(o.ridExtensionId()).isEqualTo(10);
        assertThat(o.repairedRidExtensionId()).isEqualTo(11);
        assertThat(o.streams().layerOf("f")).isEqualTo(2);
    }

    @Test
    void ordersByMaxSizeWhenEveryRidHasOne() throws Exception {
        MediaDescription m = video(offer(
                "a=rid:hi send max-width=1280;max-height=720\r\na=rid:lo send max-width=320;max-height=180\r\n",
                "a=simulcast:send hi;~lo\r\n", true));
        assertThat(SimulcastOffer.of(m).ridsLowToHigh()).containsExactly("lo", "hi");
    }

    @Test
    void keepsTheOfferOrderOtherwise() throws Exception {
        MediaDescription m = video(offer("a=rid:a send\r\na=rid:b send\r\n", "a=simulcast:send a;b\r\n", true));
        assertThat(SimulcastOffer.of(m).ridsLowToHigh()).containsExactly("a", "b");
    }

    @Test
    void aSingleStreamSectionHasNoSimulcast() throws Exception {
        assertThat(SimulcastOffer.of(video(offer("", "", true)))).isNull();
    }

    @Test
    void refusesWhatTheSfuCannotForwardWithAReason() throws Exception {
        assertThatThrownBy(() -> SimulcastOffer.of(video(offer("a=rid:q send\r\na=rid:f send\r\n",
                "a=simulcast:send q;f\r\n", false)))).hasMessageContaining("rtp-stream-id");
        assertThatThrownBy(() -> SimulcastOffer.of(video(offer("a=rid:q send\r\na=rid:f send\r\n",
                "a=simulcast:send q,f\r\n", true)))).hasMessageContaining("alternatives");
        assertThatThrownBy(() -> SimulcastOffer.of(video(offer(
                "a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\na=rid:e send\r\n",
                "a=simulcast:send a;b;c;d;e\r\n", true)))).hasMessageContaining("at most");
    }
}
