package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz} (the process answers), {@code GET /readyz} (every named readiness check passes, e.g. the
 * store answers and the listeners are bound) and {@code GET /metrics} (Prometheus text). Unauthenticated by
 * design; they reveal no tenant data. Production serves {@code /metrics} on the private metrics listener only
 * ({@code MetricsListener}), unless the operator asks for it on the client port ({@link #registerHealth} alone).
 */
public final class HealthRoutes {
    /** A named readiness condition. */
    public record Check(String name, BooleanSupplier ready) {}

    private HealthRoutes() {}

    /** Health, readiness and metrics. */
    public static void register(Router router, ChorusMetrics metrics, List<Check> checks) {
        registerHealth(router, checks);
        router.add("GET", "/metrics", r ->
                HttpResult.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    }

    /** Health and readiness only: {@code /metrics} is not on this router. */
    public static void registerHealth(Router router, List<Check> checks) {
        router.add("GET", "/healthz", r -> HttpResult.json(200, Map.of("status", "ok")));
        router.add("GET", "/readyz", r -> {
            Map<String, String> states = new LinkedHashMap<>();
            boolean all = true;
            for (Check c : checks) {
                boolean ok;
                try {
                    ok = c.ready().getAsBoolean();
                } catch (RuntimeException e) {
                    ok = false;
                }
                all &= ok;
                states.put(c.name(), ok ? "up" : "down");
            }
            return HttpResult.json(all ? 200 : 503, Map.of("status", all ? "ready" : "not_ready", "checks", states));
        });
    }
}
