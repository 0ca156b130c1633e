package dev.chorus.media.datarelay;

/**
 * One relayed message. Immutable and shared by every receiver's queue (the payload is copied once, on receipt).
 *
 * @param senderId participant id of the sender, set by the server from the transport it arrived on, never from the
 *                 message's content
 * @param topic    application topic (1..{@value DataLimits#MAX_TOPIC_BYTES} UTF-8 bytes, no control characters)
 * @param payload  the bytes; do not modify
 * @param binary   binary or UTF-8 text (the WebRTC PPID the sender used)
 * @param reliable sent on the reliable ordered channel, or the lossy unordered one
 */
public record DataMessage(String senderId, String topic, byte[] payload, boolean binary, boolean reliable) {}
