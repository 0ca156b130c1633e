package dev.chorus.signaling.ws;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the participant WebSocket.
 *
 * @param path              endpoint path, {@code /v1/ws}
 * @param joinTimeout       the join message must arrive within this time of the upgrade
 * @param idleTimeout       after joining, a session that sends nothing (not even a ping) for this long is closed
 * @param fragmentTimeout   a fragmented message must be completed within this time
 * @param maxFrameBytes     largest single frame payload (1009 above)
 * @param maxMessageBytes   largest message after joining fragments (1009 above)
 * @param framesPerSecond   sustained rate of frames a client may send
 * @param frameBurst        burst allowance above that rate; beyond it the session is closed with 1008
 * @param maxErrors         error replies a session may earn before it is closed with 1008
 * @param maxSessionsPerIp  concurrent WebSocket sessions per source (429 at the upgrade above)
 * @param maxTokenBytes     longest join token accepted
 * @param expiryWarning     {@code token_expiring} is sent this long before the session's token expires
 * @param expiryGrace       a session whose token expired and was not refreshed is closed (4005) after this grace
 * @param resumeGrace       a session whose connection dropped without a leave is kept this long for its client to
 *                          resume it (docs/protocol.md, "Session resume"); zero turns resume off (the library
 *                          default: the server's configuration sets {@code ws.resumeGrace}, 20 s by default)
 */
public record WsSettings(
        String path,
        Duration joinTimeout,
        Duration idleTimeout,
        Duration fragmentTimeout,
        int maxFrameBytes,
        int maxMessageBytes,
        int framesPerSecond,
        int frameBurst,
        int maxErrors,
        int maxSessionsPerIp,
        int maxTokenBytes,
        Duration expiryWarning,
        Duration expiryGrace,
        Duration resumeGrace) {

    /** With the default token expiry warning (60 s) and grace (30 s). */
    public WsSettings(String path, Duration joinTimeout, Duration idleTimeout, Duration fragmentTimeout,
                      int maxFrameBytes, int maxMessageBytes, int framesPerSecond, int frameBurst, int maxErrors,
                      int maxSessionsPerIp, int maxTokenBytes) {
        this(path, joinTimeout, idleTimeout, fragmentTimeout, maxFrameBytes, maxMessageBytes, framesPerSecond,
                frameBurst, maxErrors, maxSessionsPerIp, maxTokenBytes, Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ZERO);
    }

    public WsSettings withTokenExpiry(Duration warning, Duration grace) {
        return new WsSettings(path, joinTimeout, idleTimeout, fragmentTimeout, maxFrameBytes, maxMessageBytes,
                framesPerSecond, frameBurst, maxErrors, maxSessionsPerIp, maxTokenBytes, warning, grace, resumeGrace);
    }

    /** With session resume kept for {@code grace} after a dropped connection (zero: off). */
    public WsSettings withResumeGrace(Duration grace) {
        return new WsSettings(path, joinTimeout, idleTimeout, fragmentTimeout, maxFrameBytes, maxMessageBytes,
                framesPerSecond, frameBurst, maxErrors, maxSessionsPerIp, maxTokenBytes, expiryWarning, expiryGrace,
                grace);
    }

    public WsSettings {
        Objects.requireNonNull(expiryWarning);
        Objects.requireNonNull(expiryGrace);
        Objects.requireNonNull(resumeGrace);
        if (resumeGrace.isNegative()) throw new IllegalArgumentException("resume grace must not be negative");
        Objects.requireNonNull(path);
        Objects.requireNonNull(joinTimeout);
        Objects.requireNonNull(idleTimeout);
        Objects.requireNonNull(fragmentTimeout);
        if (maxFrameBytes < 128 || maxMessageBytes < maxFrameBytes || framesPerSecond < 1 || frameBurst < 1
                || maxErrors < 1 || maxSessionsPerIp < 1 || maxTokenBytes < 256) {
            throw new IllegalArgumentException("WebSocket limits must be positive (and message >= frame size)");
        }
    }

    public static WsSettings defaults() {
        return new WsSettings("/v1/ws", Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5),
                64 * 1024, 256 * 1024, 50, 100, 20, 32, 8 * 1024);
    }
}
