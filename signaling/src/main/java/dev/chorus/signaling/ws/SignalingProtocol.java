package dev.chorus.signaling.ws;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Message types an admitted session understands, by {@code type}. The control plane registers {@code ping} and
 * {@code leave}; the media plane adds its own (offer, answer, candidate, ...). {@code join} is handled before
 * a session exists and cannot be registered.
 */
public final class SignalingProtocol {
    private final Map<String, SessionMessageHandler> handlers = new ConcurrentHashMap<>();

    public SignalingProtocol() {
        register("ping", (s, m) -> s.send(Map.of("type", "pong")));
        register("leave", (s, m) -> s.close(WsCloseCodes.NORMAL, "bye"));
    }

    public SignalingProtocol register(String type, SessionMessageHandler handler) {
        if ("join".equals(type)) throw new IllegalArgumentException("join is handled by the gate");
        handlers.put(type, handler);
        return this;
    }

    SessionMessageHandler handler(String type) {
        return handlers.get(type);
    }

    public Set<String> types() {
        return Set.copyOf(handlers.keySet());
    }
}
