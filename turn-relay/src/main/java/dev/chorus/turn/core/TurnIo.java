package dev.chorus.turn.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the sans-IO {@link TurnCore} asks of its edge. Every {@code send*} takes ownership of the buffer.
 * Called on the core's thread only.
 */
public interface TurnIo {
    ByteBufAllocator alloc();

    /** Sends a STUN message or ChannelData frame to the client over the transport named by {@code client}. */
    void sendToClient(ClientKey client, ByteBuf message);

    /** Sends a datagram from the allocation's relay socket to {@code peer}. */
    void sendToPeer(Object relay, InetSocketAddress peer, ByteBuf data);

    /**
     * Binds a relay socket on {@code address:port} for {@code owner} (datagrams arriving on it go to
     * {@link TurnCore#onPeerPacket} with that allocation); returns a handle, or null if the port cannot be bound.
     */
    Object openRelay(InetAddress address, int port, Allocation owner);

    void closeRelay(Object relay);
}
