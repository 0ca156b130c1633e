package dev.chorus.signaling.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * Control-plane counters (exported as {@code chorus_tokens_minted_total}, {@code chorus_joins_admitted_total},
 * {@code chorus_joins_refused_total{reason}}, {@code chorus_backend_auth_failures_total{reason}}). Counters per
 * reason are registered up front so the reason tag has a bounded, known set of values.
 */
public final class AuthMetrics {
    private final Counter minted;
    private final Counter admitted;
    private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);
    private final Map<RefusalReason, Counter> backendFailures = new EnumMap<>(RefusalReason.class);

    public AuthMetrics(MeterRegistry registry) {
        minted = Counter.builder("chorus.tokens.minted").description("Join tokens minted by the HTTP API")
                .register(registry);
        admitted = Counter.builder("chorus.joins.admitted").description("Join tokens accepted").register(registry);
        for (RefusalReason r : RefusalReason.values()) {
            refused.put(r, Counter.builder("chorus.joins.refused").tag("reason", r.code())
                    .description("Join tokens refused, by reason").register(registry));
            backendFailures.put(r, Counter.builder("chorus.backend.auth.failures").tag("reason", r.code())
                    .description("Failed backend API authentications, by reason").register(registry));
        }
    }

    public void tokenMinted() {
        minted.increment();
    }

    public void joinAdmitted() {
        admitted.increment();
    }

    public void joinRefused(RefusalReason reason) {
        refused.get(reason).increment();
    }

    public void backendAuthFailed(RefusalReason reason) {
        backendFailures.get(reason).increment();
    }
}
