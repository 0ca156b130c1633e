package dev.chorus.media.sctp;

/**
 * Packs an association's outgoing chunks into packets: chunks are added to the open packet while they fit
 * ({@link #room}), a full or finished packet goes to the {@link SctpAssociation.PacketSink} ({@link #flush}). One
 * reused builder, so an association allocates only the finished packet's array.
 */
final class SctpOutput {
    private final SctpConfig config;
    private final SctpPacketBuilder builder;
    private final SctpAssociation.PacketSink sink;
    private final SctpCounters counters;

    SctpOutput(SctpConfig config, SctpAssociation.PacketSink sink, SctpCounters counters) {
        this.config = config;
        this.builder = new SctpPacketBuilder(config.mtu());
        this.sink = sink;
        this.counters = counters;
    }

    /** The open packet (verification tag {@code tag}) if {@code size} more bytes fit, else a fresh one (the full one is sent first). */
    SctpPacketBuilder room(int size, int tag) {
        if (builder.isOpen() && builder.remaining() < Bytes.pad4(size)) flush();
        if (!builder.isOpen()) builder.begin(config.localPort(), config.remotePort(), tag);
        return builder;
    }

    /** A fresh packet with verification tag {@code tag}, for chunks that must not be bundled (INIT, ABORT). */
    SctpPacketBuilder packet(int tag) {
        flush();
        builder.begin(config.localPort(), config.remotePort(), tag);
        return builder;
    }

    /** Sends the open packet if it holds a chunk. */
    void flush() {
        if (!builder.isOpen()) return;
        if (builder.isEmpty()) {
            builder.finish();
            return;
        }
        counters.add(SctpCounter.PACKETS_SENT);
        sink.send(builder.finish());
    }
}
