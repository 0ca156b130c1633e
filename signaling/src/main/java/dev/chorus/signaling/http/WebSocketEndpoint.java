package dev.chorus.signaling.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * The WebSocket side of the listener. The dispatcher hands it an upgrade request for {@link #path()} on the event
 * loop; it performs the handshake (or answers with an HTTP refusal) and takes the pipeline over.
 */
public interface WebSocketEndpoint {
    String path();

    /**
     * @param sourceIp canonical peer IP, for audit
     * @param limitKey per-source limit key (IPv4 address or IPv6 /64)
     * @return the HTTP status answered (101 on success), for metrics
     */
    int upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String sourceIp, String limitKey);
}
