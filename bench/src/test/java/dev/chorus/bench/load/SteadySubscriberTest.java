package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak's steady subscribers against a real spawned server (issue 16): each room's subscriber answers with its own
 * endpoint whatever order the rooms' first offers come in, and follows an ICE restart of its subscribe transport
 * without losing the audio. The old soak answered room 0 with room 1's endpoint when room 1's offer came first, and
 * then failed every later room-1 renegotiation with "ICE check failed".
 */
class SteadySubscriberTest {
    static ServerTarget server;
    static int mediaPort;
    static final long TIMEOUT = 60_000;

    @BeforeAll
    static void spawn() throws Exception {
        mediaPort = ServerTarget.freeUdpPort();
        server = ServerTarget.spawn(Map.of("CHORUS_MEDIA_UDP_PORT", Integer.toString(mediaPort)), 180_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    /** A publisher of one audio track in {@code room}, sending until closed. */
    private static final class Publisher implements AutoCloseable {
        final Signaling sig;
        final MediaEndpoint media;
        final Thread sender;
        volatile boolean running = true;

        Publisher(String room, int index, ReceiveLoop rx) throws Exception {
            sig = new Signaling(server, index);
            sig.join(room, sig.mintToken(room, "pub-" + index, List.of("room:join", "media:publish:audio")), TIMEOUT);
            media = new MediaEndpoint(new InetSocketAddress("127.0.0.1", mediaPort), MediaEndpoint.certificate(), false);
            rx.add(media);
            long ssrc = 0x4000_0000L + index;
            sig.send(Signaling.JSON.createObjectNode().put("type", "publish")
                    .put("sdp", media.publishOffer(List.of(new TestTrack("audio", "0", ssrc, -1)))));
            JsonNode answer = sig.await(m -> m.path("type").asText().equals("publishAnswer"), TIMEOUT);
            media.connect(answer.path("sdp").asText(), SrtpProfile.AEAD_AES_128_GCM);
            sender = Thread.ofVirtual().start(() -> {
                byte[] packet = new byte[200];
                try {
                    for (int seq = 0; running; seq++) {
                        Probe.write(packet, 111, ssrc, index, seq, 48_000, System.nanoTime());
                        media.sendRtp(packet, 100);
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    // closed
                }
            });
        }

        @Override
        public void close() throws Exception {
            running = false;
            sender.join(2000);
            sig.close();
            media.close();
        }
    }

    private static void await(LongSupplier value, long atLeast, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (value.getAsLong() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + " (" + value.getAsLong() + ")");
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(180)
    void eachRoomsSubscriberAnswersWithItsOwnEndpointWhateverOrderTheOffersComeInAndFollowsAnIceRestart() throws Exception {
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<AutoCloseable> close = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (ReceiveLoop rx = new ReceiveLoop(1)) {
            List<SteadySubscriber> subs = new ArrayList<>();
            List<Signaling> sigs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                String room = "steady-" + r;
                Signaling sig = new Signaling(server, r);
                sig.join(room, sig.mintToken(room, "sub-" + r, List.of("room:join", "media:subscribe")), TIMEOUT);
                SteadySubscriber sub = new SteadySubscriber(sig, room, new InetSocketAddress("127.0.0.1", mediaPort),
                        SrtpProfile.AEAD_AES_128_GCM, rx, (stage, m, cause) -> errors.add(stage + ": " + m));
                close.add(sub);
                subs.add(sub);
                sigs.add(sig);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            sub.step();
                            Thread.sleep(20);
                        }
                    } catch (InterruptedException e) {
                        // done
                    }
                }));
            }
            // room 1's first offer comes first: its subscriber connects before room 0 has anything to offer
            close.add(new Publisher("steady-1", 10, rx));
            await(() -> subs.get(1).audioPackets.get(), 10, "audio in room 1");
            close.add(new Publisher("steady-0", 11, rx));
            await(() -> subs.get(0).audioPackets.get(), 10, "audio in room 0");
            // a second publisher in room 1 is one more renegotiation on the subscriber's connected transport
            close.add(new Publisher("steady-1", 12, rx));
            await(() -> subs.get(1).offersAnswered.get(), 2, "room 1's second offer answered");

            // the subscriber asks for an ICE restart: the next offer has new server credentials, media goes on
            sigs.get(0).send(Signaling.JSON.createObjectNode().put("type", "iceRestart"));
            await(() -> subs.get(0).iceRestartsFollowed.get(), 1, "the ICE restart followed");
            long before = subs.get(0).audioPackets.get();
            await(() -> subs.get(0).audioPackets.get(), before + 25, "audio after the ICE restart");

            assertThat(errors).isEmpty();
            for (SteadySubscriber s : subs) assertThat(s.transportsConnected.get()).as(s.room).isEqualTo(1);
        } finally {
            for (Thread t : threads) t.interrupt();
            for (Thread t : threads) t.join(2000);
            for (AutoCloseable c : close.reversed()) c.close();
        }
    }
}
