package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.transport.MediaTransportConfig;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rooms, participants and transports coming and going; muting; metrics. Real UDP/DTLS/SRTP. */
@ExtendWith(NettyLeakGuard.class)
class SfuLifecycleTest {
    static final long P_VIDEO = 0x55550001L;

    final AtomicLong mediaClockOffset = new AtomicLong();
    MediaTransportServer media;
    Sfu sfu;
    final List<AutoCloseable> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        media = new MediaTransportServer(MediaTransportConfig.loopback(), DtlsCertificate.generate("sfu-test"),
                () -> System.nanoTime() + mediaClockOffset.get()).start();
        sfu = new Sfu(SfuConfig.defaults().withWorkers(2).withEmptyRoomGraceMillis(200), media).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable p : peers) p.close();
        sfu.stop();
        media.stop();
    }

    SfuPeer join(String room, String id) throws Exception {
        SfuPeer p = SfuPeer.join(sfu, room, id, MediaRights.all());
        peers.add(p);
        return p;
    }

    @Test
    void mutingStopsForwardingAndIsAnnounced() throws Exception {
        SfuPeer pub = join("m", "pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        SfuPeer sub = join("m", "sub");
        sub.acceptOffer(true);
        pub.publisher.sendRtp(TestRtp.rtp(96, 1, 0, P_VIDEO, 1, "v", 100));
        assertThat(sub.subscriber.receiveRtp(5000)).isNotNull();

        pub.participant.setMuted("v", true).get(5, TimeUnit.SECONDS);
        assertThat(sub.events.updated).singleElement().satisfies(t -> assertThat(t.muted()).isTrue());
        for (int i = 2; i < 50; i++) pub.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, P_VIDEO, i, "v", 100));
        SfuPeer.await(() -> sfu.sum(c -> c.drops(SfuDropReason.MUTED)) == 48, "48 muted drops");
        assertThat(sub.subscriber.receiveRtp(300)).isNull();

        pub.participant.setMuted("v", false).get(5, TimeUnit.SECONDS);
        pub.publisher.sendRtp(TestRtp.rtp(96, 50, 150_000, P_VIDEO, 50, "v", 100));
        assertThat(sub.subscriber.receiveRtp(5000)).isNotNull();
        assertThat(pub.participant.setMuted("nope", true)).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOf(SfuException.class);
    }

    @Test
    void closingARoomClosesEveryoneAndAnEmptyRoomClosesAfterTheGracePeriod() throws Exception {
        SfuPeer a = join("c", "a");
        SfuPeer b = join("c", "b");
        a.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        b.acceptOffer(true);
        Room room = sfu.room("c").orElseThrow();
        assertThat(room.participantIds().get(5, TimeUnit.SECONDS)).containsExactly("a", "b");
        assertThat(room.tracks().get(5, TimeUnit.SECONDS)).extracting(TrackInfo::trackId).containsExactly("v");

        room.close("closed by backend").get(5, TimeUnit.SECONDS);
        assertThat(a.events.closed).containsExactly("closed by backend");
        assertThat(b.events.closed).containsExactly("closed by backend");
        assertThat(room.isClosed()).isTrue();
        assertThat(sfu.room("c")).isEmpty();
        SfuPeer.await(() -> media.openTransports() == 0, "transports closed");
        assertThat(a.participant.publish("v=0")).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isInstanceOf(SfuException.class);

        SfuPeer c = join("e", "c");
        assertThat(sfu.room("e")).isPresent();
        c.participant.close("left").get(5, TimeUnit.SECONDS);
        assertThat(c.events.closed).containsExactly("left");
        SfuPeer.await(() -> sfu.room("e").isEmpty(), "empty room closed after the grace period");
        // A later join opens a fresh room.
        join("e", "d");
        assertThat(sfu.room("e")).isPresent();
    }

    @Test
    void aPublisherWhoseConsentExpiresIsUnpublishedAndEveryoneIsTold() throws Exception {
        SfuPeer pub = join("x", "pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        SfuPeer sub = join("x", "sub");
        sub.acceptOffer(true);
        // No consent checks from anyone for 31 s (checklist 32).
        mediaClockOffset.addAndGet(TimeUnit.SECONDS.toNanos(31));
        SfuPeer.await(() -> pub.events.transportClosed.contains("PUBLISH:CONSENT_EXPIRED"), "publisher told");
        SfuPeer.await(() -> sub.events.unpublished.contains("pub/v:TRANSPORT_CLOSED"), "subscriber told");
        assertThat(pub.events.unpublished).contains("pub/v:TRANSPORT_CLOSED");
    }

    @Test
    void metricsReadTheWorkersCounters() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        sfu.metrics().bindTo(registry);
        SfuPeer pub = join("k", "pub");
        pub.publish(List.of(new TestTrack("video", "v", P_VIDEO, -1)));
        SfuPeer sub = join("k", "sub");
        sub.acceptOffer(true);
        for (int i = 0; i < 10; i++) pub.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, P_VIDEO, i, "v", 100));
        pub.publisher.sendRtp(TestRtp.rtp(96, 99, 0, 0xDEADL, 99, "v", 100));
        SfuPeer.await(() -> registry.get("chorus.sfu.packets").tag("direction", "forwarded").functionCounter().count() == 10,
                "forwarded counter");
        assertThat(registry.get("chorus.sfu.rooms.open").gauge().value()).isEqualTo(1);
        assertThat(registry.get("chorus.sfu.participants").gauge().value()).isEqualTo(2);
        assertThat(registry.get("chorus.sfu.tracks").gauge().value()).isEqualTo(1);
        SfuPeer.await(() -> registry.get("chorus.sfu.drops").tag("reason", "unknown_ssrc").functionCounter().count() == 1,
                "drop counter");
        assertThat(registry.get("chorus.sfu.keyframe.requests").tag("direction", "sent").functionCounter().count()).isPositive();
        assertThat(registry.get("chorus.sfu.drops").tag("reason", "queue_full").functionCounter().count()).isZero();
    }

    @Test
    void subscriptionsStayWithinTheTransportsSrtpStreamBoundAndEndedStreamsFreeTheirContexts() throws Exception {
        sfu.stop();
        media.stop();
        MediaTransportConfig small = MediaTransportConfig.loopback();
        small = new MediaTransportConfig(small.bindAddress(), 0, small.announcedAddresses(), small.maxTransports(), 3,
                small.preferEpoll(), small.recvBatch(), small.socketBufferBytes(), small.dtls());
        media = new MediaTransportServer(small, DtlsCertificate.generate("sfu-test")).start();
        sfu = new Sfu(SfuConfig.defaults().withWorkers(1), media).start();

        SfuPeer a = join("s", "a");
        a.publish(List.of(new TestTrack("video", "v", P_VIDEO, 0x55550002L)));
        SfuPeer b = join("s", "b");
        b.publish(List.of(new TestTrack("video", "w", 0x66660001L, 0x66660002L)));
        SfuPeer sub = join("s", "sub");
        // Two video tracks need 4 SRTP streams, the transport has 3: only one is offered.
        assertThat(sub.acceptOffer(true).tracks()).hasSize(1);
        assertThat(sfu.sum(SfuCounters::subscriptionsOverCapacity)).isEqualTo(1);
        String offeredFrom = sub.lastOffer.tracks().getFirst().track().participantId();
        SfuPeer first = offeredFrom.equals("a") ? a : b;
        long firstSsrc = offeredFrom.equals("a") ? P_VIDEO : 0x66660001L;
        String firstMid = offeredFrom.equals("a") ? "v" : "w";
        first.publisher.sendRtp(TestRtp.rtp(96, 1, 0, firstSsrc, 1, firstMid, 100));
        assertThat(sub.subscriber.receiveRtp(5000)).isNotNull();

        // Publishers come and go: every ended stream must free its SRTP context, or the fourth would find none.
        first.participant.close("left").get(5, TimeUnit.SECONDS);
        sub.acceptOffer(true);
        for (int round = 0; round < 4; round++) {
            SfuPeer p = join("s", "p" + round);
            long ssrc = 0x77770001L + 16 * round;
            p.publish(List.of(new TestTrack("video", "x", ssrc, ssrc + 1)));
            RecordingParticipantListener.Offer offer = sub.acceptOffer(true);
            assertThat(offer.tracks()).extracting(t -> t.track().participantId()).containsExactly("p" + round);
            for (int i = 0; i < 3; i++) p.publisher.sendRtp(TestRtp.rtp(96, i, i * 3000L, ssrc, i, "x", 100));
            for (int i = 0; i < 3; i++) assertThat(sub.subscriber.receiveRtp(5000)).as("round %d packet %d", round, i).isNotNull();
            p.participant.close("left").get(5, TimeUnit.SECONDS);
            sub.acceptOffer(true);
        }
        assertThat(sfu.sum(SfuCounters::sendFailures)).isZero();

        // The track that did not fit was announced once; with room again, a rights refresh offers it.
        String other = offeredFrom.equals("a") ? "b" : "a";
        sub.participant.updateRights(MediaRights.all()).get(5, TimeUnit.SECONDS);
        assertThat(sub.acceptOffer(true).tracks()).extracting(t -> t.track().participantId()).containsExactly(other);
        assertThat(sub.events.published.stream().filter(t -> t.participantId().equals(other))).hasSize(1);
    }
}
