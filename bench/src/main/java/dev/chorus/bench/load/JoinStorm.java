package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * C clients released at once by one latch, each doing what a browser does to start sending: mint a token over
 * HTTPS, WebSocket join, publish offer → answer, ICE check, DTLS handshake. Client certificates are generated before
 * the latch (a browser has one already). Reports handshakes per second (completed clients / time until the last
 * completed), time to connected p50/p99 and failures by stage. Each client has its own room share: clients are
 * spread over rooms of {@code perRoom} so that no room's fan-out dominates.
 */
public final class JoinStorm {
    public record Options(int clients, int perRoom, SrtpProfile profile, long timeoutMillis, int maxParticipants) {}

    static Map<String, Object> millisPercentiles(ConcurrentLinkedQueue<Long> nanos) {
        Histogram h = new Histogram(600_000L, 3);
        for (long n : nanos) h.recordValue(Math.min(600_000L, n / 1_000_000L));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", "milliseconds");
        m.put("count", h.getTotalCount());
        m.put("p50", h.getValueAtPercentile(50));
        m.put("p99", h.getValueAtPercentile(99));
        return m;
    }

    private final ServerTarget target;
    private final Options o;

    public JoinStorm(ServerTarget target, Options options) {
        this.target = target;
        this.o = options;
    }

    public Map<String, Object> run(int mediaPort) throws Exception {
        if (o.clients() > o.maxParticipants()) {
            throw new IllegalArgumentException(o.clients() + " clients exceed --max-participants " + o.maxParticipants());
        }
        List<DtlsCertificate> certs = new ArrayList<>();
        for (int i = 0; i < o.clients(); i++) certs.add(MediaEndpoint.certificate());
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(o.clients());
        ConcurrentLinkedQueue<AutoCloseable> toClose = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> connectedNanos = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> joinedNanos = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> answeredNanos = new ConcurrentLinkedQueue<>();
        Map<String, Integer> failures = new TreeMap<>();
        long[] start = new long[1];
        ProcessCpu cpu = new ProcessCpu(target.pid());
        ReceiveLoop receiveLoop = new ReceiveLoop(1);
        toClose.add(receiveLoop);
        for (int i = 0; i < o.clients(); i++) {
            int index = i;
            Thread.ofVirtual().name("storm-" + i).start(() -> {
                String stage = "token";
                try {
                    go.await();
                    Signaling sig = new Signaling(target, index);
                    toClose.add(sig);
                    String room = "storm-" + index / Math.max(1, o.perRoom());
                    String token = sig.mintToken(room, "storm-" + index, List.of("room:join", "media:publish:audio"));
                    stage = "join";
                    sig.join(room, token, o.timeoutMillis());
                    joinedNanos.add(System.nanoTime() - start[0]);
                    stage = "publish";
                    MediaEndpoint client = new MediaEndpoint(new java.net.InetSocketAddress("127.0.0.1", mediaPort), certs.get(index), false);
                    toClose.add(client);
                    receiveLoop.add(client);
                    sig.send(Signaling.JSON.createObjectNode().put("type", "publish")
                            .put("sdp", client.publishOffer(List.of(new TestTrack("audio", "0", 0x2000_0000L + index, -1)))));
                    JsonNode answer = sig.await(m -> m.path("type").asText().equals("publishAnswer"), o.timeoutMillis());
                    answeredNanos.add(System.nanoTime() - start[0]);
                    stage = "ice+dtls";
                    client.connect(answer.path("sdp").asText(), o.profile());
                    connectedNanos.add(System.nanoTime() - start[0]);
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.merge(stage + ": " + e.getClass().getSimpleName(), 1, Integer::sum);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            long cpu0 = cpu.cpuNanos();
            long own0 = LoadRun.ownCpuNanos();
            start[0] = System.nanoTime();
            go.countDown();
            boolean finished = done.await(o.timeoutMillis() + 30_000, TimeUnit.MILLISECONDS);
            long wall = System.nanoTime() - start[0];
            long cpu1 = cpu.cpuNanos();
            long own1 = LoadRun.ownCpuNanos();
            Histogram h = new Histogram(600_000L, 3); // milliseconds
            long last = 0;
            for (long n : connectedNanos) {
                h.recordValue(Math.min(600_000L, n / 1_000_000L));
                last = Math.max(last, n);
            }
            int ok = connectedNanos.size();
            out.put("clients", o.clients());
            out.put("connected", ok);
            out.put("failed", o.clients() - ok);
            synchronized (failures) {
                out.put("failures", new LinkedHashMap<>(failures));
            }
            out.put("allFinished", finished);
            out.put("secondsUntilLastConnected", last / 1e9);
            out.put("handshakesPerSecond", last == 0 ? 0.0 : ok / (last / 1e9));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("unit", "milliseconds");
            t.put("p50", h.getValueAtPercentile(50));
            t.put("p99", h.getValueAtPercentile(99));
            t.put("max", h.getMaxValue());
            out.put("timeToConnected", t);
            out.put("timeToJoined", millisPercentiles(joinedNanos));
            out.put("timeToPublishAnswer", millisPercentiles(answeredNanos));
            out.put("serverCpuSeconds", (cpu1 - cpu0) / 1e9);
            out.put("wallSeconds", wall / 1e9);
            out.put("generatorCpuSeconds", (own1 - own0) / 1e9);
            return out;
        } finally {
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing everything regardless
                }
            }
        }
    }
}
