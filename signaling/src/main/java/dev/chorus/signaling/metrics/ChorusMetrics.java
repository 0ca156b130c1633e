package dev.chorus.signaling.metrics;

import io.micrometer.core.instrument.Counter;
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

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The control plane's meters, all under the {@code chorus_} prefix, plus JVM and process metrics.
 * Tag values are always bounded sets (route templates, reason codes), never raw paths or identities,
 * so a client cannot blow up the number of time series.
 */
public final class ChorusMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final AtomicInteger wsSessionsOpen = new AtomicInteger();
    private JvmGcMetrics gcMetrics;

    public ChorusMetrics() {
        this(true);
    }

    /** @param bindJvm false in tests that start many servers, to avoid registering JMX listeners each time */
    public ChorusMetrics(boolean bindJvm) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (bindJvm) {
            new JvmMemoryMetrics().bindTo(registry);
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
        }
        registry.gauge("chorus.ws.sessions.open", wsSessionsOpen, AtomicInteger::get);
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
