package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak (issue 16): every second {@code churn} new participants join (token over HTTPS, WebSocket join, audio
 * publish, ICE + DTLS, a second of SRTP audio) and leave again, while one steady subscriber per room
 * ({@link SteadySubscriber}) answers the SFU's renegotiations and receives what they send, for {@code duration}. The server's health is sampled
 * ({@link ServerHealth}) at a fixed period; the verdict compares the samples after a warm-up:
 * <ul>
 *   <li>heap after a full GC: the last sample within {@link #HEAP_GROWTH} of the first;</li>
 *   <li>0 Netty leak reports and 0 {@code ERROR} lines in the server's whole output ({@link ServerLogWatch});</li>
 *   <li>0 errors: a participant that failed any stage for a reason other than the generator's own deadline (an
 *       HTTP status, a server {@code error}, a WebSocket the server closed), a steady subscriber's WebSocket closed by
 *       the server, a server {@code error} to a steady subscriber, a steady subscriber that received no audio in the
 *       last {@link #SILENT_LIMIT_MILLIS} of the churn;</li>
 *   <li>the generator's deadlines ({@link #classify}: an unanswered ICE check, a DTLS handshake or signaling
 *       message not in time) are counted apart, with the machine's load when they passed: any while the machine
 *       was not overloaded ({@link Machine#overloaded}) fails the run (a server that did not answer); while it was,
 *       up to {@link #OVERLOADED_TIMEOUT_SHARE} of the participants are tolerated and reported, more make the run
 *       inconclusive (a failure too). The deadlines grow with the load ({@link Machine#deadlineFactor}), bounded;</li>
 *   <li>the rate: at least {@link #MIN_STARTED_SHARE} of the asked participants started (a new one is not
 *       started while {@code 5 × churn} are still in flight: a stalled server or machine does not pile up work);</li>
 *   <li>file descriptors and threads flat: the mean of the last third of samples within 10 % (+ a slack of the
 *       participants that may be alive at a sample) of the mean of the first third.</li>
 * </ul>
 */
final class Soak {
    static final double HEAP_GROWTH = 0.10;
    /** How long a churning participant stays after it connected. */
    static final long LIFETIME_MILLIS = 1_000;
    /** Churners cycle over this many participant slots (64 loopback sources of 16): one HTTP client each. */
    static final int SOURCES_PARTICIPANTS = 64 * Signaling.PER_SOURCE;
    /** A steady subscriber that received no audio for this long before the churn ended counts as an error. */
    static final long SILENT_LIMIT_MILLIS = 10_000;
    /** Generator deadlines tolerated while the machine was overloaded, as a share of the participants started. */
    static final double OVERLOADED_TIMEOUT_SHARE = 0.01;
    /** Participants that must have been started, as a share of those asked for ({@code churn × seconds}). */
    static final double MIN_STARTED_SHARE = 0.90;

    /** What a failed step says about the server. */
    enum Kind { ERROR, TIMEOUT }

    /** The counts a verdict judges besides the samples. */
    record Tally(long errors, long calmTimeouts, long overloadedTimeouts, long asked, long started, long serverLogErrors) {
        static Tally clean(long participants) {
            return new Tally(0, 0, 0, participants, participants, 0);
        }
    }

    record Options(int churnPerSecond, int rooms, long durationMillis, long sampleMillis, long warmupMillis,
                   SrtpProfile profile, long timeoutMillis) {}

    private final ServerTarget target;
    private final Options o;
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> errorsByStage = new TreeMap<>();
    private final AtomicLong errorCount = new AtomicLong();
    private final Map<String, AtomicLong> timeoutsByStage = new TreeMap<>();
    private final AtomicLong calmTimeouts = new AtomicLong();
    private final AtomicLong overloadedTimeouts = new AtomicLong();
    private volatile double maxLoadAtTimeout;
    private final AtomicLong asked = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final AtomicLong joined = new AtomicLong();
    private final AtomicLong left = new AtomicLong();
    private final AtomicLong audioSent = new AtomicLong();
    private volatile boolean stopping;

    Soak(ServerTarget target, Options options) {
        this.target = target;
        this.o = options;
    }

    Map<String, Object> run(int mediaPort, PrintStream progress) throws Exception {
        ServerHealth health = new ServerHealth(target);
        List<Map<String, Object>> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        List<AutoCloseable> steady = new ArrayList<>();
        ConcurrentLinkedQueue<Thread> running = new ConcurrentLinkedQueue<>();
        // At most a few seconds' worth of participants in flight: a stalled server does not pile up thousands.
        Semaphore inFlight = new Semaphore(Math.max(4, o.churnPerSecond() * 5));
        ReceiveLoop rx = new ReceiveLoop(1);
        Map<String, Object> out = new LinkedHashMap<>();
        int index = 0;
        try {
            List<SteadySubscriber> subscribers = new ArrayList<>();
            for (int r = 0; r < o.rooms(); r++) {
                Signaling sig = new Signaling(target, index++);
                steady.add(sig);
                try {
                    sig.join(room(r), sig.mintToken(room(r), "soak-sub-" + r, List.of("room:join", "media:subscribe")), o.timeoutMillis());
                } catch (java.io.IOException e) {
                    failure("steady-subscriber", "steady subscriber of " + room(r) + " could not join: " + e, e);
                    out.put("firstErrors", List.copyOf(errors));
                    out.put("verdict", verdict(samples, tally(), o.churnPerSecond()));
                    return out;
                }
                SteadySubscriber sub = new SteadySubscriber(sig, room(r), new InetSocketAddress("127.0.0.1", mediaPort),
                        o.profile(), rx, this::failure);
                steady.add(sub);
                subscribers.add(sub);
            }
            // one thread per steady subscriber: a subscriber's ICE/DTLS wait never delays another room's answers
            List<Thread> answerers = new ArrayList<>();
            for (SteadySubscriber sub : subscribers) {
                answerers.add(Thread.ofVirtual().name("soak-steady-" + sub.room).start(() -> keepAnswering(sub)));
            }
            long start = System.nanoTime();
            long end = start + TimeUnit.MILLISECONDS.toNanos(o.durationMillis());
            long nextSample = start + TimeUnit.MILLISECONDS.toNanos(o.warmupMillis());
            long tick = start;
            Thread sampler = null;
            while (System.nanoTime() < end) {
                for (int i = 0; i < o.churnPerSecond(); i++) {
                    int n = index++;
                    asked.incrementAndGet();
                    // Back-pressure, not an error: whatever holds the ones in flight fails them or lets them through.
                    if (!inFlight.tryAcquire()) continue;
                    started.incrementAndGet();
                    running.add(Thread.ofVirtual().name("soak-" + n).start(() -> {
                        try {
                            churn(n, mediaPort, rx);
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
                running.removeIf(t -> !t.isAlive());
                if (System.nanoTime() >= nextSample && (sampler == null || !sampler.isAlive())) {
                    // Off the churn loop: a sample forces a full GC through jcmd, seconds on a busy machine.
                    sampler = Thread.ofVirtual().name("soak-sample").start(() -> {
                        Map<String, Object> s = health.sample();
                        s.put("atSeconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
                        s.put("joined", joined.get());
                        s.put("left", left.get());
                        s.put("errors", errorCount.get());
                        synchronized (samples) {
                            samples.add(s);
                        }
                        progress.println("soak " + s);
                    });
                    nextSample += TimeUnit.MILLISECONDS.toNanos(o.sampleMillis());
                }
                tick += 1_000_000_000L;
                long wait = tick - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            for (Thread t : running) t.join(o.timeoutMillis() + 5_000);
            if (sampler != null) sampler.join(120_000);
            long churnEnded = System.nanoTime();
            for (SteadySubscriber sub : subscribers) {
                if (sub.closedReason() != null) error("steady-subscriber", sub.room + ": WebSocket closed: " + sub.closedReason());
                // a subscriber whose media path died (consent lost, a failed ICE restart) receives nothing more
                long silentFor = churnEnded - sub.lastAudioNanos();
                if (silentFor > TimeUnit.MILLISECONDS.toNanos(SILENT_LIMIT_MILLIS)) {
                    error("steady-subscriber", sub.room + ": received no audio in the last "
                            + TimeUnit.NANOSECONDS.toSeconds(Math.min(silentFor, churnEnded - start)) + " s of the churn");
                }
            }
            stopping = true;
            for (Thread t : answerers) t.interrupt();
            for (Thread t : answerers) t.join(5000);
            Map<String, Object> last = health.sample(); // every churning participant has left
            last.put("atSeconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
            last.put("joined", joined.get());
            last.put("left", left.get());
            last.put("errors", (int) errorCount.get());
            last.put("afterAllLeft", true);
            samples.add(last);
            out.put("joined", joined.get());
            out.put("left", left.get());
            out.put("joinsPerSecondAchieved", joined.get() / (o.durationMillis() / 1e3));
            out.put("participantsAsked", asked.get());
            out.put("participantsStarted", started.get());
            out.put("notStartedBackPressure", asked.get() - started.get());
            out.put("audioPacketsSentByChurners", audioSent.get());
            List<Map<String, Object>> perSubscriber = new ArrayList<>();
            long received = 0;
            for (SteadySubscriber sub : subscribers) {
                received += sub.audioPackets.get();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("room", sub.room);
                m.put("audioPacketsReceived", sub.audioPackets.get());
                m.put("offersAnswered", sub.offersAnswered.get());
                m.put("transportsConnected", sub.transportsConnected.get());
                m.put("iceRestartsFollowed", sub.iceRestartsFollowed.get());
                perSubscriber.add(m);
            }
            out.put("audioPacketsReceivedBySteadySubscribers", received);
            out.put("steadySubscribers", perSubscriber);
            Map<String, Long> byStage = new TreeMap<>();
            synchronized (errorsByStage) {
                errorsByStage.forEach((k, v) -> byStage.put(k, v.get()));
            }
            out.put("errorsByStage", byStage);
            Map<String, Object> timeouts = new LinkedHashMap<>();
            timeouts.put("whileNotOverloaded", calmTimeouts.get());
            timeouts.put("whileOverloaded", overloadedTimeouts.get());
            timeouts.put("overloadedAbove", Machine.OVERLOAD_PER_CORE * cores);
            timeouts.put("maxLoadAverageAtATimeout", maxLoadAtTimeout);
            Map<String, Long> timeoutStages = new TreeMap<>();
            synchronized (errorsByStage) {
                timeoutsByStage.forEach((k, v) -> timeoutStages.put(k, v.get()));
            }
            timeouts.put("byStage", timeoutStages);
            out.put("generatorTimeouts", timeouts);
            out.put("firstErrors", List.copyOf(errors));
            ServerLogWatch log = target.logWatch();
            if (log != null) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("linesRead", log.lines.get());
                l.put("errorLines", log.errorLines.get());
                l.put("warnLines", log.warnLines.get());
                l.put("leakReports", log.leakReports.get());
                l.put("firstNotableLines", log.notableLines());
                out.put("serverLog", l);
            }
            out.put("samples", samples);
            out.put("verdict", verdict(samples, tally(), o.churnPerSecond()));
            return out;
        } finally {
            stopping = true;
            rx.close();
            for (AutoCloseable c : steady) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing everything regardless
                }
            }
        }
    }

    static String room(int r) {
        return "soak-" + r;
    }

    /** One churning participant: join, publish audio, connect, send for its lifetime, leave. */
    private void churn(int n, int mediaPort, ReceiveLoop rx) {
        String stage = "token";
        Signaling sig = new Signaling(target, n % SOURCES_PARTICIPANTS); // cycles over 64 loopback sources
        MediaEndpoint media = null;
        double factor = Machine.deadlineFactor(Machine.load1(), cores);
        long timeout = Math.round(o.timeoutMillis() * factor);
        try {
            String room = room(n % o.rooms());
            String token = sig.mintToken(room, "soak-" + n, List.of("room:join", "media:publish:audio"));
            stage = "join";
            sig.join(room, token, timeout);
            joined.incrementAndGet();
            stage = "publish";
            media = new MediaEndpoint(new InetSocketAddress("127.0.0.1", mediaPort), MediaEndpoint.certificate(), false);
            media.iceAttempts(iceAttempts(factor));
            rx.add(media);
            long ssrc = 0x3000_0000L + n;
            sig.send(Signaling.JSON.createObjectNode().put("type", "publish")
                    .put("sdp", media.publishOffer(List.of(new TestTrack("audio", "0", ssrc, -1)))));
            JsonNode answer = sig.await(m -> m.path("type").asText().equals("publishAnswer"), timeout);
            stage = "ice+dtls";
            media.connect(answer.path("sdp").asText(), o.profile());
            stage = "media";
            byte[] packet = new byte[200];
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIFETIME_MILLIS);
            for (int seq = 0; System.nanoTime() < until; seq++) {
                Probe.write(packet, 111, ssrc, n, seq, 48_000, System.nanoTime());
                media.sendRtp(packet, 100);
                audioSent.incrementAndGet();
                Thread.sleep(20);
            }
            stage = "leave";
            if (sig.closedReason() != null) throw new java.io.IOException("closed by the server: " + sig.closedReason());
        } catch (Exception e) {
            if (stopping && stage.equals("token")) return; // the run ended while it was starting
            String closed = sig.closedReason();
            if (closed != null && !(e.getMessage() != null && e.getMessage().contains(closed))) {
                // whatever this step saw, the server had closed the participant's session: that is the error
                error(stage, "participant " + n + " at " + stage + ": " + e + "; its WebSocket was closed: " + closed);
            } else {
                failure(stage, "participant " + n + " at " + stage + ": " + e, e);
            }
        } finally {
            sig.close();
            if (media != null) {
                try {
                    media.close();
                } catch (java.io.IOException ignored) {
                    // closing anyway
                }
            }
            left.incrementAndGet();
        }
    }

    /** A steady subscriber's thread: its messages in order, consent checks, until the run stops. */
    private void keepAnswering(SteadySubscriber sub) {
        try {
            for (long i = 0; !stopping; i++) {
                if (i % 100 == 0) sub.iceAttempts(iceAttempts(Machine.deadlineFactor(Machine.load1(), cores)));
                sub.step();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            // the run is over
        }
    }

    /** Nominating ICE checks (2 s each) for a deadline factor: 5 on an idle machine, at most 20. */
    static int iceAttempts(double factor) {
        return (int) Math.min(20, Math.ceil(5 * factor));
    }

    /**
     * A step failed: a {@link Kind#TIMEOUT} when the generator's own deadline passed (anywhere in the cause chain:
     * {@link GeneratorTimeout}, a DTLS handshake timeout, an HTTP or WebSocket connect/request timeout), otherwise an
     * {@link Kind#ERROR}: the server said no, closed, or something unexplained happened. A null cause is an error.
     */
    static Kind classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GeneratorTimeout || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof org.bouncycastle.tls.TlsTimeoutException) {
                return Kind.TIMEOUT;
            }
        }
        return Kind.ERROR;
    }

    /** A failed step, classified ({@link #classify}); a timeout is counted with the machine's load at that moment. */
    private void failure(String stage, String message, Throwable cause) {
        if (classify(cause) == Kind.ERROR) {
            error(stage, message);
            return;
        }
        double load = Machine.load1();
        boolean overloaded = Machine.overloaded(load, cores);
        synchronized (errorsByStage) {
            long n = timeoutsByStage.computeIfAbsent(stage, k -> new AtomicLong()).incrementAndGet();
            (overloaded ? overloadedTimeouts : calmTimeouts).incrementAndGet();
            maxLoadAtTimeout = Math.max(maxLoadAtTimeout, load);
            if (n <= 3) errors.add("timeout at load " + load + " on " + cores + " cores: " + message);
        }
    }

    private void error(String stage, String message) {
        synchronized (errorsByStage) {
            long n = errorsByStage.computeIfAbsent(stage, k -> new AtomicLong()).incrementAndGet();
            if (n <= 3) errors.add(message); // the first few of each stage, for the report
            errorCount.incrementAndGet();
        }
    }

    private Tally tally() {
        ServerLogWatch log = target.logWatch();
        return new Tally(errorCount.get(), calmTimeouts.get(), overloadedTimeouts.get(), asked.get(), started.get(),
                log == null ? 0 : log.errorLines.get());
    }

    /** Pass/fail from the samples and counts (see the class comment); every check says what it compared. */
    static Map<String, Object> verdict(List<Map<String, Object>> samples, Tally t, int churn) {
        Map<String, Object> v = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        if (samples.size() < 3) {
            failures.add("only " + samples.size() + " samples: run longer than the warm-up plus two sample periods");
        } else {
            long heap0 = num(samples.getFirst(), "heapAfterGcBytes");
            long heap1 = num(samples.getLast(), "heapAfterGcBytes");
            v.put("heapAfterGcFirstBytes", heap0);
            v.put("heapAfterGcLastBytes", heap1);
            v.put("heapAfterGcGrowthPercent", heap0 <= 0 ? Double.NaN : 100.0 * (heap1 - heap0) / heap0);
            if (heap0 <= 0 || heap1 <= 0) failures.add("heap after GC could not be read (jcmd)");
            else if (heap1 > heap0 * (1 + HEAP_GROWTH)) {
                failures.add(String.format(Locale.ROOT, "heap after GC grew %.1f %% (%d -> %d bytes), more than %.0f %%",
                        100.0 * (heap1 - heap0) / heap0, heap0, heap1, 100 * HEAP_GROWTH));
            }
            long leaks = num(samples.getLast(), "nettyLeakReports");
            v.put("nettyLeakReports", leaks);
            if (leaks != 0) failures.add(leaks + " Netty leak reports (LEAK: lines) in the server's output/log");
            flat(samples, "fileDescriptors", 2L * churn + 4, v, failures);
            flat(samples, "threads", 4, v, failures);
        }
        v.put("errors", t.errors());
        if (t.errors() != 0) failures.add(t.errors() + " errors (see errorsByStage and firstErrors)");
        v.put("serverLogErrorLines", t.serverLogErrors());
        if (t.serverLogErrors() != 0) failures.add("the server logged " + t.serverLogErrors() + " ERROR lines (see serverLog)");
        v.put("generatorTimeoutsWhileNotOverloaded", t.calmTimeouts());
        v.put("generatorTimeoutsWhileOverloaded", t.overloadedTimeouts());
        if (t.calmTimeouts() != 0) {
            failures.add(t.calmTimeouts() + " generator deadlines passed while the machine was not overloaded: the server"
                    + " did not answer in time (see generatorTimeouts and firstErrors)");
        }
        if (t.overloadedTimeouts() > OVERLOADED_TIMEOUT_SHARE * t.started()) {
            failures.add(String.format(Locale.ROOT, "inconclusive: %d generator deadlines passed while the machine was "
                    + "overloaded, more than %.0f %% of the %d participants started", t.overloadedTimeouts(),
                    100 * OVERLOADED_TIMEOUT_SHARE, t.started()));
        }
        v.put("participantsStartedPercent", t.asked() == 0 ? 0.0 : 100.0 * t.started() / t.asked());
        if (t.started() < MIN_STARTED_SHARE * t.asked()) {
            failures.add(String.format(Locale.ROOT, "inconclusive: only %d of %d participants asked for could be started "
                    + "(%.0f %% needed; more than 5 s of churners were in flight): the rate was not sustained",
                    t.started(), t.asked(), 100 * MIN_STARTED_SHARE));
        }
        v.put("passed", failures.isEmpty());
        v.put("failures", failures);
        return v;
    }

    private static void flat(List<Map<String, Object>> samples, String key, long slack, Map<String, Object> v, List<String> failures) {
        int third = Math.max(1, samples.size() / 3);
        double first = samples.subList(0, third).stream().mapToLong(s -> num(s, key)).average().orElse(0);
        double last = samples.subList(samples.size() - third, samples.size()).stream().mapToLong(s -> num(s, key)).average().orElse(0);
        v.put(key + "FirstThirdMean", first);
        v.put(key + "LastThirdMean", last);
        if (first < 0 || last < 0) failures.add(key + " could not be read");
        else if (last > first * 1.10 + slack) {
            failures.add(String.format(Locale.ROOT, "%s not flat: mean %.1f in the first third, %.1f in the last (allowed %.1f)",
                    key, first, last, first * 1.10 + slack));
        }
    }

    private static long num(Map<String, Object> s, String key) {
        return ((Number) s.getOrDefault(key, -1L)).longValue();
    }
}
