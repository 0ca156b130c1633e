package dev.chorus.server;

import dev.chorus.signaling.http.HttpSettings;
import dev.chorus.signaling.http.OriginPolicy;
import dev.chorus.signaling.ws.WsSettings;
import java.util.ArrayList;
import java.util.List;

/** Turns validated configuration into the signaling layer's settings objects. */
final class ServerSettings {
    private ServerSettings() {}

    static HttpSettings http(ChorusConfig c) {
        ChorusConfig.Http h = c.http();
        return new HttpSettings(h.bindAddress(), h.port(), h.maxBodyBytes(), h.maxHeaderBytes(), h.maxRequestLineBytes(),
                Durations.parse(h.requestTimeout()), Durations.parse(h.tlsHandshakeTimeout()), h.maxConnectionsPerIp(),
                Durations.parse(h.hstsMaxAge()).toSeconds(), h.maxInFlightRequests());
    }

    /** The origins allowed on /v1/ws and /dev/token: the server's own, publicUrl's and {@code ws.allowedOrigins}. */
    static OriginPolicy origins(ChorusConfig c) {
        List<String> all = new ArrayList<>(c.ws().allowedOrigins());
        if (c.http().publicUrl() != null) {
            java.net.URI u = java.net.URI.create(c.http().publicUrl());
            all.add(u.getScheme() + "://" + u.getRawAuthority());
        }
        return OriginPolicy.allowing(all);
    }

    static WsSettings ws(ChorusConfig c) {
        ChorusConfig.Ws w = c.ws();
        return new WsSettings("/v1/ws", Durations.parse(w.joinTimeout()), Durations.parse(w.idleTimeout()),
                Durations.parse(w.fragmentTimeout()), w.maxFrameBytes(), w.maxMessageBytes(), w.framesPerSecond(),
                w.frameBurst(), w.maxErrors(), w.maxSessionsPerIp(), w.maxTokenBytes())
                .withTokenExpiry(Durations.parse(w.tokenExpiryWarning()), Durations.parse(w.tokenExpiryGrace()))
                .withResumeGrace(Durations.parse(w.resumeGrace()));
    }
}
