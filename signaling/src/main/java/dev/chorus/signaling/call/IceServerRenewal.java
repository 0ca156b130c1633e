package dev.chorus.signaling.call;

import dev.chorus.signaling.ws.ParticipantSession;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * Keeps a session's TURN credentials alive (issue 16): the relay ends an allocation when the credential it was made
 * with expires, so a relayed call would die after {@code turn.credentialTtl}. When {@link #RENEW_AT} of a
 * credential's remaining life has passed, fresh {@code iceServers} are issued (audited by the provider) and pushed
 * as {@code {"type":"iceServers","iceServers":[…],"expiresAt":<epoch s>}}; the SDK applies them with
 * {@code setConfiguration} and an ICE restart, which allocates on the relay with the new credential before the old
 * one ends. A credential capped by the token's expiry cannot be extended here: the token refresh ({@code refreshed})
 * carries new ones and renewal goes on from those. One timer per session on its event loop, replaced on each issue.
 */
final class IceServerRenewal {
    static final String ATTRIBUTE = "call.iceServerRenewal";
    /** Renew when this share of the credential's remaining life has passed (3/4: 7.5 min of 10). */
    static final double RENEW_AT = 0.75;

    private final IceServerProvider provider;
    private final Executor blocking;
    private final Clock clock;

    IceServerRenewal(IceServerProvider provider, Executor blocking, Clock clock) {
        this.provider = provider;
        this.blocking = blocking;
        this.clock = clock;
    }

    /** When credentials with {@code left} of life should be renewed: after {@link #RENEW_AT} of it. */
    static Duration renewAfter(Duration left) {
        if (left.isNegative() || left.isZero()) return Duration.ZERO;
        return Duration.ofMillis((long) (left.toMillis() * RENEW_AT));
    }

    /** {@code issued} was just given to {@code s} (joined, refreshed or a renewal): schedules its renewal. */
    void track(ParticipantSession s, List<Map<String, Object>> issued) {
        Instant expiry = provider.expiresAt(issued);
        if (expiry == null || !s.isOpen()) return;
        ScheduledFuture<?> timer = s.schedule(() -> {
            try {
                blocking.execute(() -> renew(s, expiry));
            } catch (RejectedExecutionException stopping) {
                // the server is stopping: the session ends with it
            }
        }, renewAfter(Duration.between(clock.instant(), expiry)));
        if (s.attributes().put(ATTRIBUTE, timer) instanceof ScheduledFuture<?> previous) previous.cancel(false);
        else s.onClose(() -> { if (s.attributes().get(ATTRIBUTE) instanceof ScheduledFuture<?> f) f.cancel(false); });
    }

    private void renew(ParticipantSession s, Instant previousExpiry) {
        if (!s.isOpen() || (s.expiresAt() != null && !s.expiresAt().isAfter(previousExpiry))) return;
        List<Map<String, Object>> servers = provider.iceServers(s);
        Instant expiry = provider.expiresAt(servers);
        // capped by the token's expiry: nothing to gain; the token's refresh brings (and tracks) new credentials
        if (expiry == null || !expiry.isAfter(previousExpiry)) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "iceServers");
        m.put("iceServers", servers);
        m.put("expiresAt", expiry.getEpochSecond());
        s.send(m);
        track(s, servers);
    }
}
