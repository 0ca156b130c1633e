package dev.chorus.media.transport;

import dev.chorus.media.ice.IceCheckResult;
import dev.chorus.media.ice.IceLiteAgent;
import dev.chorus.media.ice.StunRouter;
import dev.chorus.media.srtp.SrtpEncryptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The media socket's only handler, on its event loop: RFC 7983 demux by first byte, STUN to ICE, DTLS and SRTP
 * only from the 5-tuple ICE validated for a transport. Everything else is dropped and counted; no exception leaves
 * this handler, and every datagram is released.
 */
final class MediaDatagramHandler extends ChannelInboundHandlerAdapter {
    private final MediaTransportServer server;
    private final StunRouter router;
    private final TransportCounters counters;
    /** Event-loop scratch: one datagram plus room for in-place SRTP growth, reused for every packet. */
    private final byte[] scratch = new byte[MediaTransportConfig.MAX_DATAGRAM + SrtpEncryptor.MAX_OVERHEAD];

    MediaDatagramHandler(MediaTransportServer server, StunRouter router, TransportCounters counters) {
        this.server = server;
        this.router = router;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        try {
            handle(ctx, packet.content(), packet.sender());
        } catch (RuntimeException e) {
            // A bug must not kill the socket; the packet is dropped like any other bad input.
            counters.drop(DropReason.INTERNAL_ERROR);
        } finally {
            packet.release();
        }
    }

    private void handle(ChannelHandlerContext ctx, ByteBuf content, InetSocketAddress from) {
        int length = content.readableBytes();
        counters.packetsIn++;
        counters.bytesIn += length;
        if (length == 0) {
            counters.drop(DropReason.EMPTY);
            return;
        }
        if (length > MediaTransportConfig.MAX_DATAGRAM) {
            counters.drop(DropReason.TOO_LARGE);
            return;
        }
        int first = content.getUnsignedByte(content.readerIndex());
        if (first <= 3) {
            counters.stunIn++;
            onStun(ctx, content, from);
        } else if (first >= 20 && first <= 63) {
            WebRtcTransport transport = validatedTransport(from);
            if (transport == null) return;
            counters.dtlsIn++;
            content.getBytes(content.readerIndex(), scratch, 0, length);
            transport.onDtls(from, scratch, length);
        } else if (first >= 128 && first <= 191) {
            WebRtcTransport transport = validatedTransport(from);
            if (transport == null) return;
            if (length < 8) {
                counters.drop(DropReason.MALFORMED_RTP);
                return;
            }
            counters.srtpIn++;
            content.getBytes(content.readerIndex(), scratch, 0, length);
            transport.onSrtp(scratch, length, counters);
        } else {
            counters.drop(DropReason.UNKNOWN_FIRST_BYTE);
        }
    }

    private void onStun(ChannelHandlerContext ctx, ByteBuf content, InetSocketAddress from) {
        ByteBuf out = ctx.alloc().ioBuffer(256);
        boolean sent = false;
        try {
            IceCheckResult result = router.handle(content, from, server.nanoTime(), out);
            if (result == IceCheckResult.RESPONDED || result == IceCheckResult.ROLE_CONFLICT) {
                server.write(new DatagramPacket(out, from), out.readableBytes(), true);
                sent = true;
            }
        } finally {
            if (!sent) out.release();
        }
    }

    /** The transport whose ICE agent validated {@code from}, or null (dropped and counted: checklist 33). */
    private WebRtcTransport validatedTransport(InetSocketAddress from) {
        IceLiteAgent agent = router.agentFor(from);
        if (agent == null || !agent.isValidated(from)) {
            counters.drop(DropReason.UNVALIDATED_SOURCE);
            return null;
        }
        WebRtcTransport transport = server.transportFor(agent);
        if (transport == null || transport.isClosed()) {
            counters.drop(DropReason.UNVALIDATED_SOURCE);
            return null;
        }
        return transport;
    }

    /** Periodic on the event loop: consent freshness of every transport, and the address index. */
    void tick(long nowNanos) {
        for (WebRtcTransport transport : server.transports()) {
            transport.tick(nowNanos);
        }
        router.purge();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP port unreachable and similar surface here on some platforms: nothing to do for a shared socket.
    }
}
