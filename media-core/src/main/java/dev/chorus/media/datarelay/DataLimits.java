package dev.chorus.media.datarelay;

/**
 * Per-participant budgets of the relay. A sender over its message rate or byte rate has the message refused (the
 * SDK sees it as an error event, nothing is queued anywhere); a receiver's queue holds at most
 * {@code queueMessages} messages and {@code queueBytes} bytes (overflow policy in {@link ReceiverQueue}).
 *
 * @param messagesPerSecond sustained messages a participant may send per second
 * @param messageBurst      messages it may send at once after a quiet period
 * @param bytesPerSecond    sustained payload bytes per second
 * @param byteBurst         payload bytes at once (at least {@code maxMessageBytes}, else a maximal message never fits)
 * @param maxMessageBytes   largest payload; matches the {@code a=max-message-size} we offer
 * @param queueMessages     messages a receiver's queue holds
 * @param queueBytes        payload bytes a receiver's queue holds
 */
public record DataLimits(double messagesPerSecond, double messageBurst, double bytesPerSecond, double byteBurst,
                         int maxMessageBytes, int queueMessages, long queueBytes) {

    /** Longest topic in UTF-8 bytes. */
    public static final int MAX_TOPIC_BYTES = 128;
    /** Most destinations one message may name. */
    public static final int MAX_DESTINATIONS = 256;

    public DataLimits {
        if (messagesPerSecond < 0 || messageBurst < 1 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("rates");
        }
        if (maxMessageBytes < 1 || byteBurst < maxMessageBytes) {
            throw new IllegalArgumentException("byteBurst must hold one maximal message");
        }
        if (queueMessages < 1 || queueBytes < maxMessageBytes) {
            throw new IllegalArgumentException("a receiver queue must hold one maximal message");
        }
    }

    /**
     * Defaults: 50 messages/s (burst 100), 256 KiB/s (burst 512 KiB), 64 KiB messages (what every browser
     * sends unfragmented by the application), a queue of 256 messages / 1 MiB per receiver.
     */
    public static DataLimits defaults() {
        return new DataLimits(50, 100, 256 * 1024, 512 * 1024, 64 * 1024, 256, 1 << 20);
    }
}
