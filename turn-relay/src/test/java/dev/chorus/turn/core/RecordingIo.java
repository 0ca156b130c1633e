package dev.chorus.turn.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/** The edge of a sans-IO test: records what the core sends; relay "sockets" are strings. */
final class RecordingIo implements TurnIo {
    record ToClient(ClientKey client, ByteBuf message) {}
    record ToPeer(Object relay, InetSocketAddress peer, ByteBuf data) {}

    final ArrayDeque<ToClient> toClient = new ArrayDeque<>();
    final ArrayDeque<ToPeer> toPeer = new ArrayDeque<>();
    final Set<Integer> busyPorts = new HashSet<>();
    final Set<Object> openRelays = new HashSet<>();

    @Override
    public ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void sendToClient(ClientKey client, ByteBuf message) {
        toClient.add(new ToClient(client, message));
    }

    @Override
    public void sendToPeer(Object relay, InetSocketAddress peer, ByteBuf data) {
        toPeer.add(new ToPeer(relay, peer, data));
    }

    @Override
    public Object openRelay(InetAddress address, int port, Allocation owner) {
        if (busyPorts.contains(port)) return null;
        String h = "relay:" + port;
        openRelays.add(h);
        return h;
    }

    @Override
    public void closeRelay(Object relay) {
        openRelays.remove(relay);
    }

    void releaseAll() {
        toClient.forEach(t -> t.message().release());
        toPeer.forEach(t -> t.data().release());
        toClient.clear();
        toPeer.clear();
    }
}
