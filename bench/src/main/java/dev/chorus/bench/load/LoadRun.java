package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The forwarding load: R rooms, each with P publishers and S subscribers, all real participants (token over HTTPS,
 * WebSocket join, publish offer/answer, SFU subscriber offers answered, ICE, DTLS, SRTP over loopback UDP).
 * Publishers send paced probe packets ({@link Probe}); subscribers decrypt them and account for every packet sent
 * inside the measurement window: received, lost, duplicated, reordered, and one-way latency. The server's CPU time
 * over the same window comes from /proc; the floor ({@link Floor}) is measured afterwards for the same packets.
 */
public final class LoadRun {
    public record Options(int rooms, int publishers, int subscribers, long warmupMillis, long durationMillis,
                          boolean video, boolean audio, int videoKbps, int videoBytes, int audioBytes, int audioPps,
                          SrtpProfile profile, int maxParticipants, long setupTimeoutMillis, int setupConcurrency,
                          int receiveThreads, long receiveBatchMicros) {
        int participants() { return rooms * (publishers + subscribers); }
        int videoPps() { return Math.max(1, (int) Math.round(videoKbps * 1000.0 / 8 / videoBytes)); }
    }

    /** One published stream. */
    static final class Stream {
        final int id;
        final int room;
        final String kind;
        final long ssrc;
        final int bytes;
        final int pps;
        final AtomicLong sentInWindow = new AtomicLong();
        /** Times the sender fell more than a second behind its schedule (the generator could not keep the rate). */
        final AtomicLong stalls = new AtomicLong();
        long seq;
        long next;

        Stream(int id, int room, String kind, long ssrc, int bytes, int pps) {
            this.id = id; this.room = room; this.kind = kind; this.ssrc = ssrc; this.bytes = bytes; this.pps = pps;
        }
    }

    /** What one subscriber saw of one stream. */
    static final class Rx {
        final BitSet seen = new BitSet();
        long windowReceived;
        long duplicates;
        long reordered;
        long maxSeq = -1;
        long total;
    }

    static final long IDLE_SAMPLE_NANOS = 2_000_000_000L;
    /** Chromium sends consent checks every 5 s ± 50 %; the server revokes consent after 30 s without one. */
    static final long CONSENT_MILLIS = 5_000;

    private final ServerTarget target;
    private final Options o;
    private final List<Stream> streams = new ArrayList<>();
    private final ConcurrentLinkedQueue<AutoCloseable> toClose = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Thread> consents = new ConcurrentLinkedQueue<>();
    /**
     * Every participant whose ICE and DTLS are up, in the order they connected. Consent checks go to each from then
     * on: a setup of many participants on a loaded machine can outlast the server's consent timeout (30 s), and a
     * publisher whose consent lapsed while the subscribers were still joining is gone before the run starts.
     */
    private final ConcurrentLinkedQueue<MediaEndpoint> connected = new ConcurrentLinkedQueue<>();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile boolean stopSending;
    private volatile boolean stopReceiving;
    private ReceiveLoop receiveLoop;

    public LoadRun(ServerTarget target, Options options) {
        this.target = target;
        this.o = options;
    }

    private final class Publisher {
        final int index;
        final int room;
        final List<Stream> mine = new ArrayList<>();
        Signaling sig;
        MediaEndpoint media;

        Publisher(int index, int room) { this.index = index; this.room = room; }

        void setup(int mediaPortHint) throws Exception {
            sig = new Signaling(target, index);
            toClose.add(sig);
            List<String> scopes = new ArrayList<>(List.of("room:join"));
            if (o.video()) scopes.add("media:publish:video");
            if (o.audio()) scopes.add("media:publish:audio");
            sig.join(roomName(room), sig.mintToken(roomName(room), "pub-" + index, scopes), o.setupTimeoutMillis());
            media = new MediaEndpoint(new InetSocketAddress("127.0.0.1", mediaPortHint), MediaEndpoint.certificate(), false);
            toClose.add(media);
            receiveLoop.add(media);
            List<TestTrack> tracks = new ArrayList<>();
            for (Stream s : mine) tracks.add(new TestTrack(s.kind, Integer.toString(tracks.size()), s.ssrc, -1));
            sig.send(Signaling.JSON.createObjectNode().put("type", "publish").put("sdp", media.publishOffer(tracks)));
            JsonNode answer = sig.await(m -> m.path("type").asText().equals("publishAnswer"), o.setupTimeoutMillis());
            String sdp = answer.path("sdp").asText();
            InetSocketAddress server = MediaEndpoint.serverCandidate(sdp);
            if (server.getPort() != mediaPortHint) {
                throw new IOException("the server's media port is " + server.getPort() + ", not " + mediaPortHint
                        + ": pass --media-port " + server.getPort());
            }
            media.connect(sdp, o.profile());
            connected.add(media);
        }

        void send() {
            for (Stream s : mine) s.next = System.nanoTime();
            byte[] packet = new byte[MediaEndpoint.MAX_DATAGRAM];
            try {
                while (!stopSending) {
                    Stream due = mine.getFirst();
                    for (Stream s : mine) if (s.next < due.next) due = s;
                    long now = System.nanoTime();
                    if (now < due.next) {
                        LockSupport.parkNanos(due.next - now);
                        continue;
                    }
                    boolean video = due.kind.equals("video");
                    Probe.write(packet, video ? 96 : 111, due.ssrc, due.id, due.seq++, video ? 90_000 : 48_000, now);
                    media.sendRtp(packet, Probe.size(due.bytes));
                    if (now >= windowStart && now < windowEnd) due.sentInWindow.incrementAndGet();
                    due.next += 1_000_000_000L / due.pps;
                    if (now - due.next > 1_000_000_000L) {
                        due.next = now; // after a long stall, do not burst to catch up
                        if (now >= windowStart && now < windowEnd) due.stalls.incrementAndGet();
                    }
                }
            } catch (IOException | RuntimeException e) {
                errors.add("publisher " + index + ": " + e);
            }
        }
    }

    private final class Subscriber implements MediaEndpoint.RtpSink {
        final int index;
        final int room;
        /** Per stream id; written only by the receive loop's thread, read after it stopped (or under the lock). */
        final Map<Integer, Rx> rx = new LinkedHashMap<>();
        /** Send → arrival at this subscriber's socket (the kernel's receive time where available). */
        final Histogram latencyMicros = new Histogram(60_000_000L, 3);
        /** Arrival at the socket → read and decrypted by the generator (its own receive queueing). */
        final Histogram generatorDelayMicros = new Histogram(60_000_000L, 3);
        /** Send → read and decrypted by the generator (what "latency" meant before the kernel timestamps). */
        final Histogram toReadMicros = new Histogram(60_000_000L, 3);
        Signaling sig;
        MediaEndpoint media;
        long other;

        Subscriber(int index, int room) { this.index = index; this.room = room; }

        void setup() throws Exception {
            sig = new Signaling(target, index);
            toClose.add(sig);
            sig.join(roomName(room), sig.mintToken(roomName(room), "sub-" + index, List.of("room:join", "media:subscribe")),
                    o.setupTimeoutMillis());
            JsonNode offer = sig.await(m -> m.path("type").asText().equals("subscriberOffer"), o.setupTimeoutMillis());
            String sdp = offer.path("sdp").asText();
            media = new MediaEndpoint(MediaEndpoint.serverCandidate(sdp), MediaEndpoint.certificate(), true);
            toClose.add(media);
            media.sink(this);
            receiveLoop.add(media);
            sig.send(Signaling.subscriberAnswer(offer, media.answer(sdp)));
            media.connect(sdp, o.profile());
            connected.add(media);
        }

        /** Answers later offers (more tracks), like a browser's negotiationneeded handling. */
        void answerPendingOffers() throws Exception {
            JsonNode offer;
            while ((offer = sig.poll("subscriberOffer")) != null) {
                sig.send(Signaling.subscriberAnswer(offer, media.answer(offer.path("sdp").asText())));
            }
        }

        @Override
        public void onRtp(byte[] p, int length, long arrived, long read) {
            if (stopReceiving) return;
            int off = Probe.payloadOffset(p, length);
            if (off < 0) {
                other++;
                return;
            }
            long sent = Probe.sendNanos(p, off);
            long seq = Probe.sequence(p, off);
            int id = Probe.streamId(p, off);
            Rx r = rx.get(id);
            if (r == null) {
                synchronized (this) {
                    r = new Rx();
                    rx.put(id, r);
                }
            }
            r.total++;
            if (seq < r.maxSeq) r.reordered++;
            else r.maxSeq = seq;
            if (sent >= windowStart && sent < windowEnd && seq <= Integer.MAX_VALUE) {
                if (r.seen.get((int) seq)) {
                    r.duplicates++;
                } else {
                    r.seen.set((int) seq);
                    r.windowReceived++;
                    latencyMicros.recordValue(micros(arrived - sent));
                    generatorDelayMicros.recordValue(micros(read - arrived));
                    toReadMicros.recordValue(micros(read - sent));
                }
            }
        }

        synchronized boolean seesAll(List<Stream> roomStreams) {
            for (Stream s : roomStreams) if (!rx.containsKey(s.id)) return false;
            return true;
        }
    }

    /** {voluntary, involuntary} context switches of the receive loop's threads ({@code bench-rx-N}). */
    private static long[] receiveSwitches(Map<String, long[]> threads) {
        long[] sum = new long[2];
        threads.forEach((name, v) -> {
            if (name.startsWith("bench-rx-")) {
                sum[0] += v[0];
                sum[1] += v[1];
            }
        });
        return sum;
    }

    private static long micros(long nanos) {
        return Math.min(60_000_000L, Math.max(0, nanos / 1000));
    }

    static String roomName(int room) {
        return "bench-" + room;
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", "microseconds");
        m.put("samples", h.getTotalCount());
        m.put("p50", h.getValueAtPercentile(50));
        m.put("p95", h.getValueAtPercentile(95));
        m.put("p99", h.getValueAtPercentile(99));
        m.put("max", h.getMaxValue());
        return m;
    }

    /** Runs the whole scenario; the returned map is the "load" part of the report. Always closes every participant. */
    public Map<String, Object> run(int mediaPort) throws Exception {
        if (o.participants() > o.maxParticipants()) {
            throw new IllegalArgumentException(o.participants() + " participants exceed --max-participants " + o.maxParticipants());
        }
        List<Publisher> pubs = new ArrayList<>();
        List<Subscriber> subs = new ArrayList<>();
        int index = 0;
        for (int r = 0; r < o.rooms(); r++) {
            for (int p = 0; p < o.publishers(); p++) {
                Publisher pub = new Publisher(index++, r);
                if (o.video()) pub.mine.add(new Stream(streams.size(), r, "video", 0x1000_0000L + streams.size(), o.videoBytes(), o.videoPps()));
                if (o.audio()) pub.mine.add(new Stream(streams.size() + (o.video() ? 1 : 0), r, "audio",
                        0x1000_0000L + streams.size() + (o.video() ? 1 : 0), o.audioBytes(), o.audioPps()));
                streams.addAll(pub.mine);
                pubs.add(pub);
            }
            for (int s = 0; s < o.subscribers(); s++) subs.add(new Subscriber(index++, r));
        }
        List<Thread> senders = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        ProcessCpu cpu = new ProcessCpu(target.pid());
        receiveLoop = new ReceiveLoop(o.receiveThreads(), o.receiveBatchMicros() * 1000);
        try {
            // The server's idle CPU rate before any participant exists: the fixed cost (timers, GC, JIT) that a
            // lightly loaded run divides by few packets. Reported so per-packet figures can be read net of it.
            long idleCpu0 = cpu.cpuNanos();
            long idle0 = System.nanoTime();
            LockSupport.parkNanos(IDLE_SAMPLE_NANOS);
            double idleCpuPerSecond = (cpu.cpuNanos() - idleCpu0) / ((System.nanoTime() - idle0) / 1e9);
            long t0 = System.nanoTime();
            consents.add(Thread.ofVirtual().name("consent").start(this::consentChecks));
            parallel(pubs.stream().map(p -> (Task) () -> p.setup(mediaPort)).toList());
            parallel(subs.stream().map(s -> (Task) s::setup).toList());
            long setupNanos = System.nanoTime() - t0;
            consents.add(Thread.ofVirtual().name("renegotiation").start(() -> answerOffers(subs)));
            for (Publisher p : pubs) senders.add(Thread.ofPlatform().daemon().name("tx-" + p.index).start(p::send));
            // Every subscriber must see every stream of its room before the clock starts.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.setupTimeoutMillis());
            for (Subscriber s : subs) {
                List<Stream> roomStreams = streams.stream().filter(st -> st.room == s.room).toList();
                while (!s.seesAll(roomStreams)) {
                    if (System.nanoTime() > deadline || !errors.isEmpty()) {
                        throw new IOException("subscriber " + s.index + " did not receive every stream of its room; errors: " + errors);
                    }
                    LockSupport.parkNanos(20_000_000L);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(o.warmupMillis()));
            Map<String, Double> metrics0 = target.mediaMetrics();
            Map<String, Long> udp0 = Machine.udpCounters();
            List<InetSocketAddress> subscriberSockets = new ArrayList<>();
            for (Subscriber s : subs) subscriberSockets.add(s.media.localAddress());
            UdpSocketDrops drops0 = UdpSocketDrops.read();
            Map<String, Long> threads0 = cpu.threadCpuNanos();
            Map<String, long[]> switches0 = cpu.threadSwitches();
            long cpu0 = cpu.cpuNanos();
            long ownCpu0 = ownCpuNanos();
            long rxCpu0 = receiveLoop.cpuNanos();
            ProcessCpu self = new ProcessCpu(ProcessHandle.current().pid());
            long[] rxSwitches0 = receiveSwitches(self.threadSwitches());
            java.time.Instant wallStart = java.time.Instant.now();
            long w0 = System.nanoTime();
            windowStart = w0;
            long end = w0 + TimeUnit.MILLISECONDS.toNanos(o.durationMillis());
            while (System.nanoTime() < end) LockSupport.parkNanos(Math.min(100_000_000L, end - System.nanoTime()));
            windowEnd = System.nanoTime();
            long cpu1 = cpu.cpuNanos();
            long ownCpu1 = ownCpuNanos();
            long rxCpu1 = receiveLoop.cpuNanos();
            long[] rxSwitches1 = receiveSwitches(self.threadSwitches());
            Map<String, Long> threads1 = cpu.threadCpuNanos();
            Map<String, long[]> switches1 = cpu.threadSwitches();
            java.time.Instant wallEnd = java.time.Instant.now();
            Map<String, Double> metrics1 = target.mediaMetrics();
            stopSending = true;
            for (Thread t : senders) t.join(5000);
            LockSupport.parkNanos(1_000_000_000L); // let packets sent before the window's end arrive
            stopReceiving = true;
            receiveLoop.close(); // the subscribers' figures are final from here on
            Map<String, Long> udp1 = Machine.udpCounters();
            UdpSocketDrops drops1 = UdpSocketDrops.read();

            long windowNanos = windowEnd - w0;
            long sent = 0, expected = 0, received = 0, dup = 0, reordered = 0, other = 0;
            Map<String, long[]> byKind = new LinkedHashMap<>(); // kind -> {expected, received}
            Histogram latency = new Histogram(60_000_000L, 3);
            Histogram generatorDelay = new Histogram(60_000_000L, 3);
            Histogram toRead = new Histogram(60_000_000L, 3);
            boolean kernelArrival = !subs.isEmpty();
            for (Stream st : streams) sent += st.sentInWindow.get();
            long srtpAuth = 0, srtpReplay = 0, srtpInvalid = 0, subscribersWithLoss = 0, worstSubscriberLost = 0;
            long foreign = 0; // packets of another room's streams: must be 0 (room isolation)
            Map<String, Long> lostByStream = new java.util.TreeMap<>();
            for (Subscriber s : subs) {
                latency.add(s.latencyMicros);
                generatorDelay.add(s.generatorDelayMicros);
                toRead.add(s.toReadMicros);
                kernelArrival &= s.media.kernelTimestamps();
                other += s.other;
                var st0 = s.media.srtpStats();
                srtpAuth += st0.authFailures;
                srtpReplay += st0.replays;
                srtpInvalid += st0.invalid;
                long subLost = 0;
                for (Stream st : streams) {
                    Rx r = s.rx.get(st.id);
                    if (st.room != s.room) {
                        if (r != null) foreign += r.total;
                        continue;
                    }
                    long l = st.sentInWindow.get() - (r == null ? 0 : r.windowReceived);
                    subLost += l;
                    if (l != 0) lostByStream.merge("room " + st.room + " stream " + st.id + " (" + st.kind + ")", l, Long::sum);
                }
                if (subLost > 0) subscribersWithLoss++;
                worstSubscriberLost = Math.max(worstSubscriberLost, subLost);
                for (Stream st : streams) {
                    if (st.room != s.room) continue;
                    Rx r = s.rx.get(st.id);
                    long e = st.sentInWindow.get();
                    long got = r == null ? 0 : r.windowReceived;
                    expected += e;
                    received += got;
                    long[] k = byKind.computeIfAbsent(st.kind, x -> new long[2]);
                    k[0] += e;
                    k[1] += got;
                    if (r != null) {
                        dup += r.duplicates;
                        reordered += r.reordered;
                    }
                }
            }
            double serverCpuSeconds = (cpu1 - cpu0) / 1e9;
            out.put("participants", o.participants());
            out.put("setupSeconds", setupNanos / 1e9);
            out.put("windowSeconds", windowNanos / 1e9);
            out.put("publishedPacketsInWindow", sent);
            out.put("expectedDeliveries", expected);
            out.put("receivedDeliveries", received);
            long lost = expected - received;
            // Client-side drops: the kernel discarded datagrams at a full subscriber socket (the generator did not
            // read in time), or the generator could not decrypt them. Only the rest is charged to the server.
            long clientKernelDrops = Math.max(0, drops1.of(subscriberSockets) - drops0.of(subscriberSockets));
            long clientUndecryptable = 0;
            for (Subscriber s : subs) clientUndecryptable += s.media.undecryptable.get() + s.media.dropped.get();
            long clientDrops = clientKernelDrops + clientUndecryptable;
            out.put("lost", lost);
            out.put("lossPercent", expected == 0 ? 0.0 : 100.0 * lost / expected);
            Map<String, Object> lossSplit = new LinkedHashMap<>();
            lossSplit.put("clientSideDrops", clientDrops);
            lossSplit.put("clientKernelReceiveBufferDrops", clientKernelDrops);
            lossSplit.put("clientUndecryptableOrEarly", clientUndecryptable);
            lossSplit.put("serverLoss", Math.max(0, lost - clientDrops));
            lossSplit.put("serverLossPercent", expected == 0 ? 0.0 : 100.0 * Math.max(0, lost - clientDrops) / expected);
            lossSplit.put("serverSocketReceiveBufferDrops", Math.max(0, drops1.ofPort(mediaPort) - drops0.ofPort(mediaPort)));
            out.put("lossSplit", lossSplit);
            out.put("duplicates", dup);
            out.put("reordered", reordered);
            out.put("nonProbePackets", other);
            out.put("subscribersWithLoss", subscribersWithLoss);
            out.put("lostByStream", lostByStream);
            out.put("packetsFromOtherRooms", foreign);
            out.put("worstSubscriberLost", worstSubscriberLost);
            out.put("clientSrtpFailures", Map.of("auth", srtpAuth, "replay", srtpReplay, "invalid", srtpInvalid));
            Map<String, Object> kernel = new LinkedHashMap<>();
            udp1.forEach((k, v) -> kernel.put(k, v - udp0.getOrDefault(k, v)));
            out.put("hostUdpErrorsDuringRun", kernel);
            // The server's own counters over the window (counters that moved; gauges as their end value).
            Map<String, Object> server = new java.util.TreeMap<>();
            metrics1.forEach((k, v) -> {
                double d = v - metrics0.getOrDefault(k, 0.0);
                if (k.contains("_total")) {
                    if (d != 0) server.put(k, (long) d);
                } else if (v != 0) {
                    server.put(k, v);
                }
            });
            out.put("serverMetricsOverWindow", server);
            Map<String, Object> kinds = new LinkedHashMap<>();
            byKind.forEach((k, v) -> kinds.put(k, Map.of("expected", v[0], "received", v[1])));
            out.put("byKind", kinds);
            out.put("forwardedPacketsPerSecond", received / (windowNanos / 1e9));
            out.put("serverCpuSeconds", serverCpuSeconds);
            out.put("serverCpuPercentOfOneCore", 100.0 * (cpu1 - cpu0) / windowNanos);
            out.put("forwardedPerServerCpuSecond", serverCpuSeconds == 0 ? Double.NaN : received / serverCpuSeconds);
            out.put("serverCpuNanosPerForwardedPacket", received == 0 ? Double.NaN : (cpu1 - cpu0) / (double) received);
            double netCpuNanos = Math.max(0, (cpu1 - cpu0) - idleCpuPerSecond * windowNanos / 1e9);
            out.put("serverIdleCpuSecondsPerSecond", idleCpuPerSecond / 1e9);
            out.put("serverCpuNanosPerForwardedPacketNetOfIdle", received == 0 ? Double.NaN : netCpuNanos / received);
            double generatorCpu = (ownCpu1 - ownCpu0) / 1e9;
            out.put("generatorCpuSeconds", generatorCpu);
            out.put("generatorCpuPercentOfOneCore", 100.0 * (ownCpu1 - ownCpu0) / windowNanos);
            out.put("generatorReceiveThreadsCpuSeconds", (rxCpu1 - rxCpu0) / 1e9);
            out.put("generatorReceiveCpuNanosPerPacket", received == 0 ? Double.NaN : (rxCpu1 - rxCpu0) / (double) received);
            // How often the receive threads woke (each wake-up may preempt a server thread on this shared machine).
            out.put("generatorReceiveWakeupsPerSecond", (rxSwitches1[0] - rxSwitches0[0]) / (windowNanos / 1e9));
            out.put("generatorReceivePreemptionsPerSecond", (rxSwitches1[1] - rxSwitches0[1]) / (windowNanos / 1e9));
            long stalls = 0;
            for (Stream st : streams) stalls += st.stalls.get();
            out.put("publisherStalls", stalls);
            Map<String, Object> spread = ProcessCpu.threadSpread(threads0, threads1, 8);
            out.put("serverThreads", spread);
            out.put("serverReceivePath", ServerReceivePath.report(threads0, threads1, switches0, switches1, metrics0, metrics1));
            out.put("serverGcPausesInWindow", target.gcPauses(wallStart, wallEnd));
            out.put("limit", Limit.verdict(expected, lost, clientDrops, stalls,
                    100.0 * (ownCpu1 - ownCpu0) / windowNanos, 100.0 * (cpu1 - cpu0) / windowNanos, spread));
            Map<String, Object> lat = percentiles(latency);
            // "kernel": send → the datagram's arrival at the subscriber's socket (SO_TIMESTAMPNS); "read": send → the
            // generator's read and decrypt (no kernel timestamps: the generator's own queueing is inside the figure).
            lat.put("arrivalClock", kernelArrival ? "kernel" : "read");
            out.put("latency", lat);
            out.put("generatorReceiveDelay", percentiles(generatorDelay));
            out.put("latencyToRead", percentiles(toRead));
            out.put("errors", List.copyOf(errors));
            return out;
        } finally {
            stopSending = true;
            stopReceiving = true;
            for (Thread t : senders) t.join(5000);
            receiveLoop.close();
            for (Thread t : consents) {
                t.interrupt();
                t.join(5000);
            }
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing everything regardless
                }
            }
        }
    }

    /** Consent freshness for every participant, every ~5 s as Chromium does, until the run stops. */
    private void consentChecks() {
        while (!stopReceiving) {
            try {
                Thread.sleep(CONSENT_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            for (MediaEndpoint e : connected) {
                try {
                    e.sendConsent();
                } catch (IOException closed) {
                    // the run is ending
                }
            }
        }
    }

    /** Subscribers answer later offers (another publisher's tracks) within ~100 ms, like a browser. */
    private void answerOffers(List<Subscriber> subs) {
        while (!stopReceiving) {
            try {
                Thread.sleep(100);
                for (Subscriber s : subs) s.answerPendingOffers();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                errors.add("renegotiation: " + e);
                return;
            }
        }
    }

    /** Deliveries per stream kind, for the floor ("same packets"). */
    static long receivedOfKind(Map<String, Object> load, String kind) {
        @SuppressWarnings("unchecked")
        Map<String, Object> k = (Map<String, Object>) ((Map<String, Object>) load.get("byKind")).get(kind);
        return k == null ? 0 : ((Number) k.get("received")).longValue();
    }

    interface Task {
        void run() throws Exception;
    }

    /** Runs tasks on virtual threads, at most setupConcurrency at once; the first failure is thrown. */
    void parallel(List<Task> tasks) throws Exception {
        Semaphore permits = new Semaphore(Math.max(1, o.setupConcurrency()));
        CountDownLatch done = new CountDownLatch(tasks.size());
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (Task t : tasks) {
            Thread.ofVirtual().start(() -> {
                try {
                    permits.acquire();
                    try {
                        t.run();
                    } finally {
                        permits.release();
                    }
                } catch (Throwable e) { // an Error too: the run must fail fast, not wait for its timeout
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(o.setupTimeoutMillis() * Math.max(1, tasks.size()), TimeUnit.MILLISECONDS)) {
            throw new IOException("setup timed out");
        }
        if (!failures.isEmpty()) {
            Throwable f = failures.peek();
            if (f instanceof Exception e) throw e;
            throw new IOException("setup failed: " + f, f);
        }
    }

    static long ownCpuNanos() {
        try {
            return new ProcessCpu(ProcessHandle.current().pid()).cpuNanos();
        } catch (IOException e) {
            return 0;
        }
    }
}
