package dev.chorus.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one STUN message into a {@link ByteBuf} at its writer index. Reusable (call {@link #begin} again);
 * the header length is kept up to date after every attribute, so the buffer holds a complete message at all times.
 *
 * <p>Ordering rules are enforced: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 or FINGERPRINT, after
 * MESSAGE-INTEGRITY-SHA256 only FINGERPRINT, nothing after FINGERPRINT. Misuse throws
 * {@link IllegalStateException} / {@link IllegalArgumentException}: these are programming errors, not input.
 *
 * <pre>{@code
 * writer.beginResponse(out, StunMessageType.BINDING_SUCCESS, request)
 *       .addXorMappedAddress(source).addMessageIntegrity(key).addFingerprint();
 * }</pre>
 */
public final class StunWriter {
    private static final int STATE_OPEN = 0;
    private static final int STATE_AFTER_MI = 1;
    private static final int STATE_AFTER_MI256 = 2;
    private static final int STATE_DONE = 3;

    private ByteBuf out;
    private int start;
    private int state = STATE_DONE;

    /** Starts a message with the given type and 12-byte transaction id. */
    public StunWriter begin(ByteBuf out, int messageType, byte[] transactionId) {
        if (transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
            throw new IllegalArgumentException("transaction id must be 12 bytes");
        }
        header(out, messageType);
        out.writeBytes(transactionId);
        return this;
    }

    /** Starts a message whose transaction id is copied from {@code source} at {@code index}. */
    public StunWriter begin(ByteBuf out, int messageType, ByteBuf source, int index) {
        header(out, messageType);
        // Two primitive copies instead of writeBytes(ByteBuf, ...): no temporary NIO buffer between direct buffers.
        out.writeLong(source.getLong(index)).writeInt(source.getInt(index + 8));
        return this;
    }

    /** Starts a response (or any message) with the transaction id of {@code request}. */
    public StunWriter beginResponse(ByteBuf out, int messageType, StunMessage request) {
        return begin(out, messageType, request.buffer(), request.transactionIdOffset());
    }

    private void header(ByteBuf out, int messageType) {
        if ((messageType & ~0x3FFF) != 0) {
            throw new IllegalArgumentException("message type must fit 14 bits");
        }
        this.out = out;
        this.start = out.writerIndex();
        this.state = STATE_OPEN;
        out.writeShort(messageType).writeShort(0).writeInt(StunMessage.MAGIC_COOKIE);
    }

    /** Absolute index of the header in the output buffer. */
    public int start() {
        return start;
    }

    /** Bytes written so far for this message (header included). */
    public int length() {
        return out.writerIndex() - start;
    }

    private int openAttribute(int type, int length) {
        if (state != STATE_OPEN) {
            throw new IllegalStateException("only integrity/fingerprint attributes may follow MESSAGE-INTEGRITY");
        }
        return attributeHeader(type, length);
    }

    private int attributeHeader(int type, int length) {
        if ((type & ~0xFFFF) != 0 || length < 0 || length > 0xFFFF) {
            throw new IllegalArgumentException("attribute type or length out of range");
        }
        int bodyAfter = out.writerIndex() - start - StunMessage.HEADER_LENGTH + 4 + ((length + 3) & ~3);
        if (bodyAfter > 0xFFFC) {
            throw new IllegalArgumentException("message would exceed the STUN length field");
        }
        int at = out.writerIndex();
        out.writeShort(type).writeShort(length);
        out.setShort(start + 2, bodyAfter);
        return at;
    }

    private StunWriter pad(int length) {
        int p = (-length) & 3;
        if (p > 0) {
            out.writeZero(p);
        }
        return this;
    }

    /** Any attribute from bytes. */
    public StunWriter add(int type, byte[] value) {
        return add(type, value, 0, value.length);
    }

    /** Any attribute from a byte range. */
    public StunWriter add(int type, byte[] value, int offset, int length) {
        openAttribute(type, length);
        out.writeBytes(value, offset, length);
        return pad(length);
    }

    /** Any attribute from the readable bytes of {@code value} (its reader index is not moved). */
    public StunWriter add(int type, ByteBuf value) {
        int length = value.readableBytes();
        openAttribute(type, length);
        out.writeBytes(value, value.readerIndex(), length);
        return pad(length);
    }

    /** A zero-length attribute (USE-CANDIDATE, DONT-FRAGMENT). */
    public StunWriter addEmpty(int type) {
        openAttribute(type, 0);
        return this;
    }

    /** A 4-byte big-endian attribute. */
    public StunWriter addInt(int type, int value) {
        openAttribute(type, 4);
        out.writeInt(value);
        return this;
    }

    /** An 8-byte big-endian attribute. */
    public StunWriter addLong(int type, long value) {
        openAttribute(type, 8);
        out.writeLong(value);
        return this;
    }

    /** A UTF-8 text attribute. */
    public StunWriter addString(int type, String value) {
        return add(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /** USERNAME (≤ 513 bytes). */
    public StunWriter addUsername(String username) {
        byte[] v = username.getBytes(StandardCharsets.UTF_8);
        if (v.length > StunAttributes.MAX_USERNAME_BYTES) {
            throw new IllegalArgumentException("USERNAME longer than 513 bytes");
        }
        return add(StunAttributes.USERNAME, v);
    }

    /** REALM. */
    public StunWriter addRealm(String realm) {
        return addText(StunAttributes.REALM, realm);
    }

    /** NONCE. */
    public StunWriter addNonce(String nonce) {
        return addText(StunAttributes.NONCE, nonce);
    }

    /** SOFTWARE. */
    public StunWriter addSoftware(String software) {
        return addText(StunAttributes.SOFTWARE, software);
    }

    private StunWriter addText(int type, String text) {
        byte[] v = text.getBytes(StandardCharsets.UTF_8);
        if (v.length > StunAttributes.MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("text attribute longer than 763 bytes");
        }
        return add(type, v);
    }

    /** An XOR-*-ADDRESS attribute of {@code type} (IPv4 or IPv6), XORed with this message's cookie and id. */
    public StunWriter addXorAddress(int type, InetSocketAddress address) {
        openAttribute(type, StunAddresses.valueLength(address));
        StunAddresses.write(out, address, true, out, start + 8);
        return this;
    }

    /** A plain address attribute (MAPPED-ADDRESS, ALTERNATE-SERVER, ...). */
    public StunWriter addAddress(int type, InetSocketAddress address) {
        openAttribute(type, StunAddresses.valueLength(address));
        StunAddresses.write(out, address, false, out, start + 8);
        return this;
    }

    /** XOR-MAPPED-ADDRESS. */
    public StunWriter addXorMappedAddress(InetSocketAddress address) {
        return addXorAddress(StunAttributes.XOR_MAPPED_ADDRESS, address);
    }

    /** XOR-PEER-ADDRESS (TURN). */
    public StunWriter addXorPeerAddress(InetSocketAddress address) {
        return addXorAddress(StunAttributes.XOR_PEER_ADDRESS, address);
    }

    /** XOR-RELAYED-ADDRESS (TURN). */
    public StunWriter addXorRelayedAddress(InetSocketAddress address) {
        return addXorAddress(StunAttributes.XOR_RELAYED_ADDRESS, address);
    }

    /** ERROR-CODE with code 300..699 and a reason phrase. */
    public StunWriter addErrorCode(int code, String reason) {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("error code must be 300..699");
        }
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        if (r.length > StunAttributes.MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("reason too long");
        }
        openAttribute(StunAttributes.ERROR_CODE, 4 + r.length);
        out.writeShort(0).writeByte(code / 100).writeByte(code % 100).writeBytes(r);
        return pad(4 + r.length);
    }

    /** UNKNOWN-ATTRIBUTES listing 16-bit types (RFC 8489 §14.9). */
    public StunWriter addUnknownAttributes(int... types) {
        openAttribute(StunAttributes.UNKNOWN_ATTRIBUTES, 2 * types.length);
        for (int t : types) {
            out.writeShort(t);
        }
        return pad(2 * types.length);
    }

    /** PRIORITY (ICE, unsigned 32-bit). */
    public StunWriter addPriority(long priority) {
        return addInt(StunAttributes.PRIORITY, (int) priority);
    }

    /** ICE-CONTROLLING with a 64-bit tie-breaker. */
    public StunWriter addIceControlling(long tieBreaker) {
        return addLong(StunAttributes.ICE_CONTROLLING, tieBreaker);
    }

    /** ICE-CONTROLLED with a 64-bit tie-breaker. */
    public StunWriter addIceControlled(long tieBreaker) {
        return addLong(StunAttributes.ICE_CONTROLLED, tieBreaker);
    }

    /** USE-CANDIDATE (ICE nomination flag). */
    public StunWriter addUseCandidate() {
        return addEmpty(StunAttributes.USE_CANDIDATE);
    }

    /** LIFETIME in seconds (TURN). */
    public StunWriter addLifetime(long seconds) {
        return addInt(StunAttributes.LIFETIME, (int) seconds);
    }

    /** DATA (TURN Send/Data indications). */
    public StunWriter addData(ByteBuf data) {
        return add(StunAttributes.DATA, data);
    }

    /** REQUESTED-TRANSPORT with a protocol number (17 = UDP) and three RFFU bytes. */
    public StunWriter addRequestedTransport(int protocol) {
        return addInt(StunAttributes.REQUESTED_TRANSPORT, (protocol & 0xFF) << 24);
    }

    /** CHANNEL-NUMBER (0x4000..0x4FFF) with the RFFU half zero. */
    public StunWriter addChannelNumber(int channel) {
        return addInt(StunAttributes.CHANNEL_NUMBER, (channel & 0xFFFF) << 16);
    }

    /** PASSWORD-ALGORITHMS listing algorithms without parameters (RFC 8489 §14.11). */
    public StunWriter addPasswordAlgorithms(int... algorithms) {
        openAttribute(StunAttributes.PASSWORD_ALGORITHMS, 4 * algorithms.length);
        for (int a : algorithms) {
            out.writeShort(a).writeShort(0);
        }
        return this;
    }

    /** PASSWORD-ALGORITHM (one algorithm without parameters). */
    public StunWriter addPasswordAlgorithm(int algorithm) {
        return addInt(StunAttributes.PASSWORD_ALGORITHM, algorithm << 16);
    }

    /** MESSAGE-INTEGRITY (HMAC-SHA1) over everything written so far. */
    public StunWriter addMessageIntegrity(StunKey key) {
        if (state != STATE_OPEN) {
            throw new IllegalStateException("MESSAGE-INTEGRITY must come before MESSAGE-INTEGRITY-SHA256/FINGERPRINT");
        }
        int at = attributeHeader(StunAttributes.MESSAGE_INTEGRITY, 20);
        StunIntegrity.writeHmac(out, start, at, key, false);
        state = STATE_AFTER_MI;
        return this;
    }

    /** MESSAGE-INTEGRITY-SHA256 (full 32 bytes) over everything written so far. */
    public StunWriter addMessageIntegritySha256(StunKey key) {
        if (state != STATE_OPEN && state != STATE_AFTER_MI) {
            throw new IllegalStateException("MESSAGE-INTEGRITY-SHA256 must come before FINGERPRINT");
        }
        int at = attributeHeader(StunAttributes.MESSAGE_INTEGRITY_SHA256, 32);
        StunIntegrity.writeHmac(out, start, at, key, true);
        state = STATE_AFTER_MI256;
        return this;
    }

    /** FINGERPRINT; the message is complete afterwards. */
    public StunWriter addFingerprint() {
        if (state == STATE_DONE) {
            throw new IllegalStateException("message already has a FINGERPRINT or was not begun");
        }
        int at = attributeHeader(StunAttributes.FINGERPRINT, 4);
        out.writeInt(StunIntegrity.fingerprint(out, start, at));
        state = STATE_DONE;
        return this;
    }

    /** Ends the message (no more attributes) and returns its total length. */
    public int finish() {
        state = STATE_DONE;
        int len = out.writerIndex() - start;
        out = null;
        return len;
    }
}
