package dev.chorus.signaling.ws;

/**
 * Audit hook for refusals decided by the WebSocket layer itself, before any token is verified (join timeout,
 * first message not a join). Token verdicts are audited by the {@link JoinGate}. Never receives token text.
 */
@FunctionalInterface
public interface WsAudit {
    void joinRefused(String sourceIp, String reason);

    WsAudit NONE = (ip, reason) -> {};
}
