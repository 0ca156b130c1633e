package dev.chorus.signaling.call;

/**
 * Limits of the call messages.
 *
 * @param maxSdpBytes largest SDP accepted in {@code publish} / {@code subscriberAnswer} (characters); larger is
 *                    answered with {@code sdp_too_large} before anything is parsed
 */
public record CallSettings(int maxSdpBytes) {
    public static final CallSettings DEFAULTS = new CallSettings(64 * 1024);

    public CallSettings {
        if (maxSdpBytes < 1024) throw new IllegalArgumentException("maxSdpBytes must be at least 1024");
    }
}
