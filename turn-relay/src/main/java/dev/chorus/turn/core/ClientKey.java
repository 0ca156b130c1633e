package dev.chorus.turn.core;

import java.net.InetSocketAddress;

/**
 * The client side of an allocation's 5-tuple: transport, client address and the server address it talked to.
 * One TCP or TLS connection is one key.
 */
public record ClientKey(int transport, InetSocketAddress client, InetSocketAddress server) {
    public static final int UDP = 17;
    public static final int TCP = 6;
    /** TURN over TLS: a stream like TCP; distinct so nonces and metrics can tell them apart. */
    public static final int TLS = 56;

    public boolean stream() {
        return transport != UDP;
    }
}
