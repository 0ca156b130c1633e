package dev.chorus.media.sfu;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The set-up shared by the SFU tests on real UDP: a loopback {@link MediaTransportServer} with a fresh certificate
 * and an {@link Sfu} on it, plus the peers (and raw clients) a test opened. {@link #close()} closes those, then stops
 * the SFU and the media server, in that order.
 */
final class SfuFixture implements AutoCloseable {
    final MediaTransportServer media;
    final Sfu sfu;
    private final List<AutoCloseable> peers = new ArrayList<>();

    private SfuFixture(MediaTransportServer media, Sfu sfu) {
        this.media = media;
        this.sfu = sfu;
    }

    static SfuFixture start(SfuConfig config) throws Exception {
        return start(config, System::nanoTime);
    }

    /** @param clock the SFU's monotonic nanoseconds (e.g. the real clock plus an offset the test moves forward) */
    static SfuFixture start(SfuConfig config, java.util.function.LongSupplier clock) throws Exception {
        MediaTransportServer media =
                new MediaTransportServer(MediaTransportConfig.loopback(), DtlsCertificate.generate("sfu-test")).start();
        return new SfuFixture(media, new Sfu(config, media, clock).start());
    }

    /** A peer joined to {@code room}, closed with the fixture. */
    SfuPeer join(String room, String id, MediaRights rights) throws Exception {
        return closeLater(SfuPeer.join(sfu, room, id, rights));
    }

    /** Closes {@code c} with the fixture (before the SFU stops). */
    <T extends AutoCloseable> T closeLater(T c) {
        peers.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable p : peers) p.close();
        sfu.stop();
        media.stop();
    }
}
