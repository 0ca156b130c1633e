package dev.chorus.signaling.api;

import dev.chorus.signaling.http.ChorusHttpServer;
import dev.chorus.signaling.http.HealthRoutes;
import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.live.LiveAuthorization;
import dev.chorus.signaling.metrics.ChorusMetrics;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.ws.AdmissionGate;
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
        control.events(LiveAuthorization.both(new SessionEvents(registry, events), live));
        control.admission().sessionCounter((project, identity) -> (int) registry.all().stream()
                .filter(s -> s.projectId().equals(project) && s.identity().equals(identity) && s.isOpen()).count());
        Router router = new Router();
        List<HealthRoutes.Check> checks = new ArrayList<>();
        checks.add(new HealthRoutes.Check("store", () -> control.store().schemaVersion() > 0));
        checks.add(new HealthRoutes.Check("https", this::listening));
        checks.addAll(extraChecks);
        if (metricsRoute) HealthRoutes.register(router, metrics, checks);
        else HealthRoutes.registerHealth(router, checks);
        BackendApi.register(router, control, registry);
        extraRoutes.accept(router);
        WsEndpoint endpoint = new WsEndpoint(ws, new AdmissionGate(control.admission()),
                AdmissionGate.auditTo(control.audit()), registry, protocol, metrics, admissions, clock, lifecycle);
        this.server = new ChorusHttpServer(http, ssl, router, endpoint, metrics);
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

    public ChorusMetrics metrics() {
        return metrics;
    }

    public ControlPlane control() {
        return control;
    }

    @Override
    public void close() {
        registry.closeWhere(s -> true, WsCloseCodes.GOING_AWAY, "server shutting down");
        server.close();
        admissions.shutdownNow();
    }
}
