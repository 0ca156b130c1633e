package dev.chorus.signaling.ws;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Handles one message type from an admitted participant. Runs on the connection's event loop: must not block;
 * hand blocking work to another executor and answer with {@link ParticipantSession#send}.
 * Throw {@link ProtocolError} for a bad message (answered with an {@code error} message, counted against the
 * session's error budget).
 */
@FunctionalInterface
public interface SessionMessageHandler {
    void handle(ParticipantSession session, ObjectNode message) throws ProtocolError;
}
