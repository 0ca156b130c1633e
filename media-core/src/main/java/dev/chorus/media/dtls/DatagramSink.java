package dev.chorus.media.dtls;

/**
 * Where a DTLS session's outgoing datagrams go: the transport writes them to the peer's validated 5-tuple through
 * the Netty channel. Must be callable from any thread and never block; {@code data} may be reused after return.
 */
@FunctionalInterface
public interface DatagramSink {
    void send(byte[] data, int offset, int length);
}
