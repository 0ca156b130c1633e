package dev.chorus.media.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Real offers captured from headless Chromium 156 (fake camera and microphone, --allow-loopback-in-peer-connection)
 * with src/test/resources/sdp/capture/offer.html. Usable by other modules' tests through the test-jar.
 */
public final class SdpFixtures {
    private SdpFixtures() {}

    /** Audio + video (sendrecv), BUNDLE, host candidates on 127.0.0.1 and others. */
    public static String chromiumAudioVideoOffer() {
        return resource("/sdp/chromium-offer-audio-video.sdp");
    }

    /** Audio + video + a sendonly video with three simulcast rids (q, h, f). */
    public static String chromiumSimulcastOffer() {
        return resource("/sdp/chromium-offer-simulcast.sdp");
    }

    static String resource(String path) {
        try (InputStream in = SdpFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
