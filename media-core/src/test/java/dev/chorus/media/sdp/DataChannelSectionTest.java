package dev.chorus.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.ice.IceCredentials;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The data channel section (RFC 8841) in a Chromium offer: recognized with its port and size, answered with ours
 * when the builder accepts data channels, rejected (port 0) otherwise; a data-only offer is answerable.
 */
class DataChannelSectionTest {
    private static final Sdp.Fingerprint FP = new Sdp.Fingerprint("sha-256",
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
    private final IceCredentials creds = IceCredentials.generate();
    private final InetSocketAddress candidate = new InetSocketAddress("127.0.0.1", 40123);

    /** Chromium's data channel section, as it follows its media sections (same ICE and DTLS attributes). */
    static String applicationSection(String mid, String extra) {
        return "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "c=IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:z9iH\r\n"
                + "a=ice-pwd:CLT80rl+vmELmSZXP/2cWxFp\r\n"
                + "a=ice-options:trickle\r\n"
                + "a=fingerprint:sha-256 70:59:85:77:47:3A:67:4C:0E:27:C1:27:35:03:C6:3A:0D:51:D0:E1:DE:46:D4:FF:1C:CA:85:23:86:59:42:D0\r\n"
                + "a=setup:actpass\r\n"
                + "a=mid:" + mid + "\r\n"
                + extra;
    }

    static String withData(String extra) {
        return SdpFixtures.chromiumAudioVideoOffer().replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
                + applicationSection("2", extra);
    }

    static String dataOnly(String extra) {
        String media = SdpFixtures.chromiumAudioVideoOffer();
        String session = media.substring(0, media.indexOf("m=audio")).replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
        return session + applicationSection("0", extra);
    }

    @Test
    void chromiumsSectionIsRecognizedWithItsPortAndMessageSize() throws Exception {
        MediaDescription m = SdpParser.parse(withData("a=sctp-port:5000\r\na=max-message-size:262144\r\n")).media().get(2);
        assertThat(DataChannelSection.offered(m)).isTrue();
        assertThat(DataChannelSection.sctpPort(m)).hasValue(5000);
        assertThat(DataChannelSection.maxMessageSize(m)).hasValue(262_144);
    }

    @Test
    void absentAttributesMeanTheRfcDefaultsAndZeroMeansAnySize() throws Exception {
        MediaDescription m = SdpParser.parse(withData("")).media().get(2);
        assertThat(DataChannelSection.sctpPort(m)).hasValue(DataChannelSection.DEFAULT_SCTP_PORT);
        assertThat(DataChannelSection.maxMessageSize(m)).hasValue(65_536);
        MediaDescription any = SdpParser.parse(withData("a=max-message-size:0\r\n")).media().get(2);
        assertThat(DataChannelSection.maxMessageSize(any)).hasValue(Integer.MAX_VALUE);
    }

    @Test
    void malformedValuesAreReportedNotGuessed() throws Exception {
        MediaDescription m = SdpParser.parse(withData("a=sctp-port:70000\r\na=max-message-size:-5\r\n")).media().get(2);
        assertThat(DataChannelSection.sctpPort(m)).isEmpty();
        assertThat(DataChannelSection.maxMessageSize(m)).isEmpty();
    }

    @Test
    void theAnswerAcceptsItWithOurPortAndSizeAndKeepsItInTheBundle() throws Exception {
        SessionDescription offer = SdpParser.parse(withData("a=sctp-port:5000\r\na=max-message-size:262144\r\n"));
        String text = SdpWriter.write(new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8")
                .dataChannels(262_144).build());
        SessionDescription answer = SdpParser.parse(text);
        MediaDescription am = answer.media().get(2);
        assertThat(am.port()).isEqualTo(40123);
        assertThat(am.protocol()).isEqualTo("UDP/DTLS/SCTP");
        assertThat(am.formats()).containsExactly("webrtc-datachannel");
        assertThat(answer.setup(am)).isEqualTo(Sdp.Setup.PASSIVE);
        assertThat(answer.iceUfrag(am)).isEqualTo(creds.ufrag());
        assertThat(text).contains("a=sctp-port:5000\r\n", "a=max-message-size:262144\r\n");
        assertThat(am.direction()).as("no direction attribute on a data section").isNull();
        assertThat(answer.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0", "1", "2"));
    }

    @Test
    void withoutDataChannelsTheSectionIsRejected() throws Exception {
        SessionDescription offer = SdpParser.parse(withData("a=sctp-port:5000\r\n"));
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8").build();
        assertThat(answer.media().get(2).isRejected()).isTrue();
        assertThat(answer.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0", "1"));
    }

    @Test
    void aDataOnlyOfferIsAnswerable() throws Exception {
        SessionDescription offer = SdpParser.parse(dataOnly("a=sctp-port:5000\r\n"));
        SessionDescription answer = new SdpAnswerBuilder(offer, creds, FP).candidate(candidate).codecs("opus", "VP8")
                .dataChannels(65_536).build();
        assertThat(answer.media()).hasSize(1);
        assertThat(answer.media().get(0).isRejected()).isFalse();
    }
}
