package dev.chorus.media.sfu;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up shared by the SFU tests on real UDP: a loopback {@link MediaTransportServer} with a fresh certificate
 * and an {@link Sfu} on it, plus the peers (and raw clients) a test opened. {@link #close()} closes those, then stops
 * the SFU and the media server, in that order.
 *
 * <p>Either started by hand ({@link #start}) or, for a fresh SFU per test, registered as an extension
 * ({@code @RegisterExtension final SfuFixture fx = SfuFixture.perTest(config);}): started before each test, closed
 * after it, whether it passed or not.
 */
final class SfuFixture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private final SfuConfig config;
    private final LongSupplier clock;
    /** Set while started. */
    MediaTransportServer media;
    /** Set while started. */
    Sfu sfu;
    private final List<AutoCloseable> peers = new ArrayList<>();

    private SfuFixture(SfuConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
    }

    static SfuFixture start(SfuConfig config) throws Exception {
        return start(config, System::nanoTime);
    }

    /** @param clock the SFU's monotonic nanoseconds (e.g. the real clock plus an offset the test moves forward) */
    static SfuFixture start(SfuConfig config, LongSupplier clock) throws Exception {
        SfuFixture fixture = new SfuFixture(config, clock);
        fixture.startNow();
        return fixture;
    }

    /** A fixture for {@code @RegisterExtension}: a new SFU on {@code config} for each test. */
    static SfuFixture perTest(SfuConfig config) {
        return perTest(config, System::nanoTime);
    }

    static SfuFixture perTest(SfuConfig config, LongSupplier clock) {
        return new SfuFixture(config, clock);
    }

    private void startNow() throws Exception {
        media = new MediaTransportServer(MediaTransportConfig.loopback(), DtlsCertificate.generate("sfu-test")).start();
        sfu = new Sfu(config, media, clock).start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        startNow();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
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
        peers.clear();
        if (sfu != null) sfu.stop();
        if (media != null) media.stop();
        sfu = null;
        media = null;
    }
}
