package dev.chorus.signaling.api;

import dev.chorus.signaling.http.ChorusHttpServer;
import dev.chorus.signaling.http.HealthRoutes;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.live.ConditionSweep;
import dev.chorus.signaling.live.LiveAuthorization;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.ws.AdmissionGate;
import dev.chorus.signaling.ws.JoinGate;
import dev.chorus.signaling.ws.JoinOutcome;
import dev.chorus.signaling.ws.ParticipantSession;
import java.util.function.UnaryOperator;
import dev.chorus.signaling.ws.ParticipantRegistry;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.ws.SessionEvents;
import dev.chorus.signaling.ws.SessionLifecycle;
import dev.chorus.signaling.ws.SignalingProtocol;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsEndpoint;
import dev.chorus.signaling.ws.WsSettings;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The control plane's network edge, wired: health and metrics routes, the backend API, the participant WebSocket
 * and the HTTPS listener, on top of a {@link ControlPlane}. The server module builds one of these; so do the tests,
 * against real sockets on 127.0.0.1.
 */
public final class ControlEdge implements AutoCloseable {
    private final ControlPlane control;
    private final ChorusMetrics metrics;
    private final ParticipantRegistry registry = new ParticipantRegistry();
    private final SignalingProtocol protocol = new SignalingProtocol();
    private final ExecutorService admissions = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("chorus-join-", 0).factory());
    private final ChorusHttpServer server;
    private final LiveAuthorization live;
    private volatile JoinGate gate;
    private final Router router;
    private final ConditionSweep conditions;
    private final WsEndpoint endpoint;
    /** How often every live session's ABAC conditions are re-checked (a session ends at most this late). */
    public static final int ABAC_SWEEP_SECONDS = 10;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("chorus-control-timer").factory());

    public ControlEdge(HttpSettings http, WsSettings ws, SslContext ssl, ControlPlane control, ChorusMetrics metrics,
                       Clock clock, List<HealthRoutes.Check> extraChecks) {
        this(http, ws, ssl, control, metrics, clock, extraChecks, SessionLifecycle.NONE, ProjectEvents.NONE, r -> { });
    }

    /**
     * With a call layer: {@code lifecycle} starts/ends each session's call, {@code events} hears about closed rooms
     * after their sessions were closed, {@code extraRoutes} adds routes (web assets, dev-only endpoints).
     */
    public ControlEdge(HttpSettings http, WsSettings ws, SslContext ssl, ControlPlane control, ChorusMetrics metrics,
                       Clock clock, List<HealthRoutes.Check> extraChecks, SessionLifecycle lifecycle,
                       ProjectEvents events, Consumer<Router> extraRoutes) {
        this(http, ws, ssl, control, metrics, clock, extraChecks, lifecycle, events, extraRoutes, true);
    }

    /** @param metricsRoute whether this (client) port serves {@code /metrics}; production keeps it private */
    public ControlEdge(HttpSettings http, WsSettings ws, SslContext ssl, ControlPlane control, ChorusMetrics metrics,
                       Clock clock, List<HealthRoutes.Check> extraChecks, SessionLifecycle lifecycle,
                       ProjectEvents events, Consumer<Router> extraRoutes, boolean metricsRoute) {
        this.control = control;
        this.metrics = metrics;
        this.live = new LiveAuthorization(control.store(), registry);
        // revocations close sessions (SessionEvents, then the call layer); ACL/permission changes re-evaluate them
        this.conditions = new ConditionSweep(control.store(), registry, control.audit(), clock);
        control.events(LiveAuthorization.both(LiveAuthorization.both(new SessionEvents(registry, events), live),
                conditions));
        // ABAC during sessions and the summaries of suppressed refusal lines, on one timer thread
        timers.scheduleWithFixedDelay(() -> safely("abac_sweep", conditions::sweep), ABAC_SWEEP_SECONDS,
                ABAC_SWEEP_SECONDS, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(() -> safely("refusal_audit_flush", control.refusals()::flush), 10, 10,
                TimeUnit.SECONDS);
        control.admission().sessionReplacer((project, jti) -> {
            for (var s : registry.all()) {
                if (!s.projectId().equals(project) || !jti.equals(s.tokenId())) continue;
                if (registry.closeWhere(x -> x == s, WsCloseCodes.REVOKED, "replaced") > 0) {
                    control.audit().append(dev.chorus.signaling.audit.AuditEvent.refused(project,
                            dev.chorus.signaling.audit.AuditEvent.identityHash(project, s.identity()), s.sourceIp(),
                            AdmissionGate.SESSION_CLOSE, "room:" + s.room(), "replaced"));
                }
            }
        });
        Router router = new Router();
        List<HealthRoutes.Check> checks = new ArrayList<>();
        checks.add(new HealthRoutes.Check("store", () -> control.availability().available()));
        checks.add(new HealthRoutes.Check("https", this::listening));
        checks.addAll(extraChecks);
        if (metricsRoute) HealthRoutes.register(router, metrics, checks);
        else HealthRoutes.registerHealth(router, checks);
        BackendApi.register(router, control, registry);
        AdminApi.register(router, control);
        extraRoutes.accept(router);
        this.gate = new AdmissionGate(control.admission());
        JoinGate current = new JoinGate() { // forwards to the gate installed now (a cluster node wraps it)
            @Override public JoinOutcome admit(String t, String r, String ip) { return gate.admit(t, r, ip); }
            @Override public JoinOutcome refresh(String t, ParticipantSession s, String ip) { return gate.refresh(t, s, ip); }
            @Override public JoinOutcome resume(String t, ParticipantSession s, String ip) { return gate.resume(t, s, ip); }
            @Override public void ended(JoinOutcome.Admitted a) { gate.ended(a); }
        };
        this.endpoint = new WsEndpoint(ws, current,
                AdmissionGate.auditTo(control.audit(), control.refusals()), registry, protocol, metrics, admissions, clock, lifecycle);
        endpoint.storeAvailability(control.availability());
        this.router = router;
        this.server = new ChorusHttpServer(http, ssl, router, endpoint, metrics);
    }

    /**
     * Wraps the join gate (cluster mode: placement and cluster-wide session slots around the node's own
     * admission). Call before {@link #start()}.
     */
    public void wrapJoinGate(UnaryOperator<JoinGate> wrap) {
        this.gate = wrap.apply(gate);
    }

    public InetSocketAddress start() throws IOException {
        return server.start();
    }

    private boolean listening() {
        return server.isRunning();
    }

    public int port() {
        return server.port();
    }

    public ParticipantRegistry sessions() {
        return registry;
    }

    /** Where the media plane registers its message types. */
    public SignalingProtocol protocol() {
        return protocol;
    }

    /** Live authorization: the media plane asks it for a session's MediaRights and listens for changes. */
    public LiveAuthorization live() {
        return live;
    }

    /** Which web origins may open {@code /v1/ws} (default: the server's own origin only). */
    public void originPolicy(dev.chorus.signaling.http.OriginPolicy policy) {
        endpoint.originPolicy(policy);
    }

    /** The ABAC re-check of live sessions (the timer runs it; tests may call {@link ConditionSweep#sweep}). */
    public ConditionSweep conditions() {
        return conditions;
    }

    private static void safely(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ControlEdge.class).warn("event={}_failed error={}", what,
                    e.getClass().getName());
        }
    }

    public ChorusMetrics metrics() {
        return metrics;
    }

    /** Every route with its declared access (the route-guard test walks this table). */
    public List<Router.Entry> routes() {
        return router.table();
    }

    public ControlPlane control() {
        return control;
    }

    /**
     * Graceful drain, first step: new sessions are refused from now on and every joined session is told
     * {@code {"type":"draining","deadline":epochSeconds}} (its client can leave, or move to another node, before the
     * server closes it with 1001 at {@code deadline}). Returns the number of sessions told.
     */
    public int drain(java.time.Instant deadline) {
        endpoint.drain();
        // sessions waiting for a resume will not get one from a server going away: they leave now
        registry.closeWhere(dev.chorus.signaling.ws.ParticipantSession::detached, WsCloseCodes.GOING_AWAY,
                "server shutting down");
        int told = 0;
        for (dev.chorus.signaling.ws.ParticipantSession s : registry.all()) {
            s.send(java.util.Map.of("type", "draining", "deadline", deadline.getEpochSecond()));
            told++;
        }
        return told;
    }

    /** Whether {@link #drain} started. */
    public boolean draining() {
        return endpoint.draining();
    }

    @Override
    public void close() {
        registry.closeWhere(s -> true, WsCloseCodes.GOING_AWAY, "server shutting down");
        server.close();
        admissions.shutdownNow();
        timers.shutdownNow();
        safely("refusal_audit_flush", control.refusals()::flushAll); // suppressed counts are not lost at shutdown
    }
}
