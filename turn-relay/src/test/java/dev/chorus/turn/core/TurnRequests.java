package dev.chorus.turn.core;

import static dev.chorus.stun.StunAttributes.*;
import static dev.chorus.stun.StunMessageType.*;

import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Test-side TURN client message builder (the protocol as a client speaks it), shared by the sans-IO and socket
 * tests. Uses the shared STUN codec; credentials are set per instance.
 */
public final class TurnRequests {
    public String username;
    public String password;
    public String realm = "chorus";
    public String nonce;
    /** 0: MESSAGE-INTEGRITY with MD5 key; 2: PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256. */
    public int algorithm = PASSWORD_ALGORITHM_MD5;
    private final StunWriter w = new StunWriter();

    public TurnRequests(String username, String password) {
        this.username = username;
        this.password = password;
    }

    public static byte[] txid() {
        byte[] t = new byte[12];
        ThreadLocalRandom.current().nextBytes(t);
        return t;
    }

    /** A request of {@code method}; {@code attrs} adds method attributes; credentials are added if a nonce is known. */
    public ByteBuf request(int method, Consumer<StunWriter> attrs) {
        return request(method, txid(), attrs);
    }

    public ByteBuf request(int method, byte[] txid, Consumer<StunWriter> attrs) {
        ByteBuf out = Unpooled.buffer(512);
        w.begin(out, type(method, CLASS_REQUEST), txid);
        attrs.accept(w);
        if (nonce != null && username != null) {
            w.addUsername(username).addRealm(realm).addNonce(nonce);
            if (algorithm == PASSWORD_ALGORITHM_SHA256) {
                w.addPasswordAlgorithms(PASSWORD_ALGORITHM_SHA256, PASSWORD_ALGORITHM_MD5)
                        .addPasswordAlgorithm(PASSWORD_ALGORITHM_SHA256)
                        .addMessageIntegritySha256(StunKey.longTermSha256(username, realm, password));
            } else {
                w.addMessageIntegrity(StunKey.longTermMd5(username, realm, password));
            }
        }
        w.addFingerprint();
        w.finish();
        return out;
    }

    public ByteBuf allocate() {
        return request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_UDP));
    }

    public ByteBuf refresh(int lifetime) {
        return request(METHOD_REFRESH, x -> x.addLifetime(lifetime));
    }

    public ByteBuf createPermission(InetSocketAddress... peers) {
        return request(METHOD_CREATE_PERMISSION, x -> {
            for (InetSocketAddress p : peers) x.addXorPeerAddress(p);
        });
    }

    /** CreatePermission with a raw 16-byte IPv6 address, exactly as given (Java would turn ::ffff:x into IPv4). */
    public ByteBuf createPermissionRaw(byte[] address, int port) {
        byte[] t = txid();
        return request(METHOD_CREATE_PERMISSION, t, x -> addRawPeer(x, t, address, port));
    }

    public ByteBuf channelBindRaw(int channel, byte[] address, int port) {
        byte[] t = txid();
        return request(METHOD_CHANNEL_BIND, t, x -> {
            x.addChannelNumber(channel);
            addRawPeer(x, t, address, port);
        });
    }

    public ByteBuf channelBind(int channel, InetSocketAddress peer) {
        return request(METHOD_CHANNEL_BIND, x -> x.addChannelNumber(channel).addXorPeerAddress(peer));
    }

    public static ByteBuf send(InetSocketAddress peer, byte[] data) {
        ByteBuf out = Unpooled.buffer(64 + data.length);
        new StunWriter().begin(out, type(METHOD_SEND, CLASS_INDICATION), txid()).addXorPeerAddress(peer)
                .add(DATA, data).finish();
        return out;
    }

    public static ByteBuf sendRaw(byte[] address, int port, byte[] data) {
        ByteBuf out = Unpooled.buffer(64 + data.length);
        byte[] t = txid();
        StunWriter sw = new StunWriter().begin(out, type(METHOD_SEND, CLASS_INDICATION), t);
        addRawPeer(sw, t, address, port);
        sw.add(DATA, data).finish();
        return out;
    }

    public static ByteBuf channelData(int channel, byte[] data, boolean pad) {
        ByteBuf out = Unpooled.buffer(8 + data.length);
        out.writeShort(channel).writeShort(data.length).writeBytes(data);
        if (pad) out.writeZero((-data.length) & 3);
        return out;
    }

    /** XOR-PEER-ADDRESS from raw bytes: IPv4 if 4 bytes, IPv6 (never re-canonicalized) if 16. */
    static void addRawPeer(StunWriter sw, byte[] txid, byte[] address, int port) {
        // build the value in a side buffer: the XOR mask needs this message's transaction id
        ByteBuf tmp = Unpooled.buffer(20);
        tmp.writeByte(0).writeByte(address.length == 4 ? 1 : 2).writeShort(port ^ (StunMessage.MAGIC_COOKIE >>> 16));
        for (int k = 0; k < address.length; k++) {
            int mask = k < 4 ? (StunMessage.MAGIC_COOKIE >>> (24 - 8 * k)) & 0xFF : txid[k - 4];
            tmp.writeByte(address[k] ^ mask);
        }
        sw.add(XOR_PEER_ADDRESS, tmp);
        tmp.release();
    }

    /** Parses a response and remembers a NONCE/REALM it carries. */
    public StunMessage read(ByteBuf response) {
        StunMessage m = StunMessage.parse(response);
        int n = m.indexOf(NONCE);
        if (n >= 0) nonce = m.string(n);
        int r = m.indexOf(REALM);
        if (r >= 0) realm = m.string(r);
        return m;
    }

    public static int errorCode(StunMessage m) {
        int i = m.indexOf(ERROR_CODE);
        return i < 0 ? 0 : m.errorCode(i);
    }
}
