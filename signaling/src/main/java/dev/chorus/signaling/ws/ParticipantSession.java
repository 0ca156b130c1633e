package dev.chorus.signaling.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.chorus.signaling.http.Json;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted participant and its WebSocket. Created only after the join token was accepted. Thread-safe: sends
 * and closes go through the channel, which serialises them on its event loop. Other planes (media) keep their
 * per-session state in {@link #attributes()}.
 */
public final class ParticipantSession {
    private final String participantId;
    private final String projectId;
    private final String room;
    private final String identity;
    /** What the current token says; replaced as a whole on refresh. */
    private record TokenInfo(List<String> rights, String keyId, String tokenId, Instant issuedAt, Instant expiresAt) {}

    private volatile TokenInfo token;
    private final String sourceIp;
    private final Instant joinedAt;
    private final Channel channel;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    public ParticipantSession(JoinOutcome.Admitted a, String sourceIp, Instant joinedAt, Channel channel) {
        this.participantId = a.participantId();
        this.projectId = a.projectId();
        this.room = a.room();
        this.identity = a.identity();
        this.token = info(a);
        this.sourceIp = sourceIp;
        this.joinedAt = joinedAt;
        this.channel = channel;
    }

    public String participantId() { return participantId; }
    public String projectId() { return projectId; }
    public String room() { return room; }
    public String identity() { return identity; }
    public List<String> rights() { return token.rights(); }
    public String keyId() { return token.keyId(); }
    public String tokenId() { return token.tokenId(); }
    public Instant issuedAt() { return token.issuedAt(); }
    public Instant expiresAt() { return token.expiresAt(); }

    private static TokenInfo info(JoinOutcome.Admitted a) {
        return new TokenInfo(List.copyOf(a.rights()), a.keyId(), a.tokenId(), a.issuedAt(), a.expiresAt());
    }

    /** A refresh token for the same project, room and identity was accepted: its rights and expiry apply now. */
    void renew(JoinOutcome.Admitted a) {
        if (!a.projectId().equals(projectId) || !a.room().equals(room) || !a.identity().equals(identity)) {
            throw new IllegalArgumentException("refresh token is for another participant");
        }
        this.token = info(a);
    }
    public String sourceIp() { return sourceIp; }
    public Instant joinedAt() { return joinedAt; }
    public Map<String, Object> attributes() { return attributes; }

    public boolean hasRight(String scope) {
        return token.rights().contains(scope);
    }

    public boolean isOpen() {
        return channel.isActive() && !closing.get();
    }

    /** Sends one JSON message (a record or a map). */
    public void send(Object message) {
        if (!isOpen()) return;
        try {
            channel.writeAndFlush(new TextWebSocketFrame(Json.mapper().writeValueAsString(message)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("message not serialisable", e);
        }
    }

    /** Closes the session once with a close code from {@link WsCloseCodes} and a short reason. */
    public void close(int code, String reason) {
        if (!closing.compareAndSet(false, true)) return;
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public String toString() {
        return "ParticipantSession[" + participantId + " room=" + room + "]";
    }
}
