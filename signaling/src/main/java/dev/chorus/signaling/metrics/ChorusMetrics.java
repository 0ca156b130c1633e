package dev.chorus.signaling.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The control plane's meters, all under the {@code chorus_} prefix, plus JVM and process metrics.
 * Tag values are always bounded sets (route templates, reason codes), never raw paths or identities,
 * so a client cannot blow up the number of time series.
 *
 * <p>The exposition passes {@code promtool check metrics} without a warning (a test runs it on a live server): every
 * family has HELP text, values are in base units, and the two JVM meters whose Micrometer names break Prometheus'
 * naming rules ({@code process.cpu.time} in ns, {@code system.cpu.count} with a reserved suffix) are replaced by
 * {@code process_cpu_seconds_total} and {@code system_cpus}. Latency timers ({@link #HISTOGRAM_TIMERS}) publish
 * fixed histogram buckets so a dashboard can aggregate quantiles across nodes.
 */
public final class ChorusMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final AtomicInteger wsSessionsOpen = new AtomicInteger();
    private JvmGcMetrics gcMetrics;

    /** Timers exported as Prometheus histograms (buckets below) rather than bare count/sum. */
    static final Set<String> HISTOGRAM_TIMERS = Set.of("chorus.http.server.requests", "chorus.join.duration",
            "chorus.dtls.handshake.duration");
    /** 1 ms .. 30 s: spans a local HTTP request up to a DTLS handshake that retransmits over a lossy path. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    public ChorusMetrics() {
        this(true);
    }

    /** @param bindJvm false in tests that start many servers, to avoid registering JMX listeners each time */
    public ChorusMetrics(boolean bindJvm) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!HISTOGRAM_TIMERS.contains(id.getName())) return config;
                double[] slos = new double[LATENCY_BUCKETS.length];
                for (int i = 0; i < slos.length; i++) slos[i] = LATENCY_BUCKETS[i].toNanos();
                return DistributionStatisticConfig.builder().serviceLevelObjectives(slos).build().merge(config);
            }
        });
        Gauge.builder("chorus.build.info", () -> 1).description("Build of this node (value 1; the labels carry it)")
                .tag("version", version()).tag("java_version", Runtime.version().toString()).register(registry);
        if (bindJvm) {
            new JvmMemoryMetrics().bindTo(registry);
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                        .description("CPU time used by the JVM process").register(registry);
            }
            Gauge.builder("system.cpus", Runtime.getRuntime(), Runtime::availableProcessors)
                    .description("processors available to the JVM").register(registry);
        }
        Gauge.builder("chorus.ws.sessions.open", wsSessionsOpen, AtomicInteger::get)
                .description("participant WebSockets open (joined or joining)").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * A join refused by the WebSocket layer before any token was verified (join_timeout, bad_join). Token verdicts
     * are counted by the auth layer under the same meter name and tag key, so one series family has every reason.
     */
    public void joinRefused(String reason) {
        Counter.builder("chorus.joins.refused").description("Join tokens refused, by reason")
                .tag("reason", boundedTag(reason)).register(registry).increment();
    }

    public void wsSessionOpened() {
        wsSessionsOpen.incrementAndGet();
    }

    public void wsSessionClosed() {
        wsSessionsOpen.decrementAndGet();
    }

    public int wsSessionsOpen() {
        return wsSessionsOpen.get();
    }

    /** A WebSocket was closed by the server for a reason (join_timeout, rate_limited, too_big, ...). */
    public void wsClosed(String reason) {
        Counter.builder("chorus.ws.closed").description("WebSockets closed by the server, by reason")
                .tag("reason", boundedTag(reason)).register(registry).increment();
    }

    /** A connection was refused before any HTTP was processed (plain_http, per_ip_cap, ...). */
    public void connectionRefused(String reason) {
        Counter.builder("chorus.http.connections.refused").description("Connections refused at the edge")
                .tag("reason", boundedTag(reason)).register(registry).increment();
    }

    /** @param route a route template such as {@code /v1/keys/{kid}/retire}, never a raw path */
    public void httpRequest(String route, String method, int status, long nanos) {
        Timer.builder("chorus.http.server.requests").description("HTTP requests by route template, method and status")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .register(registry).record(Duration.ofNanos(nanos));
    }

    /** A join from its {@code join} message to the {@code joined} answer (token check, session and SFU set-up). */
    public void joinCompleted(long nanos) {
        Timer.builder("chorus.join.duration").description("Time from a join message to the joined answer")
                .register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The server's version (the jar manifest's Implementation-Version; "dev" when run from classes). */
    private static String version() {
        String v = ChorusMetrics.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    public <T> void gauge(String name, T obj, ToDoubleFunction<T> f) {
        registry.gauge(name, obj, f);
    }

    private static String boundedTag(String s) {
        if (s == null || s.isEmpty()) return "unknown";
        // Reason codes are snake_case identifiers; anything else is folded so tags stay a small set.
        return s.length() <= 48 && s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
                ? s : "other";
    }

    @Override
    public void close() {
        if (gcMetrics != null) gcMetrics.close();
        registry.close();
    }
}
