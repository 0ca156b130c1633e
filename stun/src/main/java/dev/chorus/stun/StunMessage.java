package dev.chorus.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A strict, bounds-checked, read-only view of one STUN message (RFC 8489 §5, §14) inside a Netty {@link ByteBuf}.
 *
 * <p>{@link #wrap(ByteBuf)} validates the header and walks the attributes once, recording (type, value offset, length)
 * in preallocated arrays; no attribute value is copied until an accessor that returns an object is called. Hostile
 * input never throws: {@code wrap} returns a {@link StunParseStatus} reason instead. A view is meant to be reused by
 * one thread (e.g. one per event loop); it does not retain or release the buffer and is only valid while the caller
 * owns it and does not modify the bytes.
 *
 * <p>Rules enforced: first two bits 0, magic cookie, length a multiple of 4 and exactly equal to the readable bytes
 * after the header, a cap on message size and attribute count, every attribute (with padding) inside the message,
 * fixed/maximum value lengths for known types, FINGERPRINT last. Attributes after MESSAGE-INTEGRITY other than
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are skipped
 * as RFC 8489 §14.5/§14.6 require (they are bounds-checked and counted, but not indexed).
 */
public final class StunMessage {
    /** The magic cookie 0x2112A442. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    /** STUN header length. */
    public static final int HEADER_LENGTH = 20;
    /** Transaction id length (96 bits). */
    public static final int TRANSACTION_ID_LENGTH = 12;
    /** Default cap on the whole message: the largest message the 16-bit length field can describe. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = HEADER_LENGTH + 0xFFFC;
    /** Default cap on the number of attributes walked. */
    public static final int DEFAULT_MAX_ATTRIBUTES = 64;

    private final int maxMessageBytes;
    private final int[] types;
    private final int[] offsets;
    private final int[] lengths;

    private ByteBuf buf;
    private int start;
    private int messageType;
    private int bodyLength;
    private int count;
    private int miIndex;
    private int mi256Index;
    private int fpIndex;
    private StunParseStatus status = StunParseStatus.TRUNCATED_HEADER;

    /** A view with the default caps. */
    public StunMessage() {
        this(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_ATTRIBUTES);
    }

    /**
     * A view with explicit caps.
     *
     * @param maxMessageBytes largest accepted message including the header (ICE can use ~1500, TURN over TCP more)
     * @param maxAttributes largest number of attributes walked before the message is refused
     */
    public StunMessage(int maxMessageBytes, int maxAttributes) {
        if (maxMessageBytes < HEADER_LENGTH || maxAttributes < 1) {
            throw new IllegalArgumentException("caps too small");
        }
        this.maxMessageBytes = Math.min(maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES);
        this.types = new int[maxAttributes];
        this.offsets = new int[maxAttributes];
        this.lengths = new int[maxAttributes];
    }

    /** Parses a new view (allocates; for tests and cold paths). Check {@link #status()}. */
    public static StunMessage parse(ByteBuf buf) {
        StunMessage m = new StunMessage();
        m.wrap(buf);
        return m;
    }

    /**
     * Fast demux test (RFC 7983 + cookie): true if the readable bytes could be a STUN message.
     * Does not validate the rest; use {@link #wrap}.
     */
    public static boolean looksLikeStun(ByteBuf buf) {
        int r = buf.readerIndex();
        return buf.readableBytes() >= HEADER_LENGTH
                && (buf.getByte(r) & 0xC0) == 0
                && buf.getInt(r + 4) == MAGIC_COOKIE;
    }

    /**
     * Validates the readable bytes of {@code buf} as exactly one STUN message and indexes its attributes.
     * Never throws for any content; the reader index is not moved.
     *
     * @return {@link StunParseStatus#OK} or the reason the message must be dropped
     */
    public StunParseStatus wrap(ByteBuf buf) {
        this.buf = buf;
        this.start = buf.readerIndex();
        this.count = 0;
        this.miIndex = -1;
        this.mi256Index = -1;
        this.fpIndex = -1;
        this.messageType = 0;
        this.bodyLength = 0;
        status = check(buf);
        if (status != StunParseStatus.OK) {
            this.count = 0;
            this.miIndex = this.mi256Index = this.fpIndex = -1;
        }
        return status;
    }

    private StunParseStatus check(ByteBuf buf) {
        int readable = buf.readableBytes();
        if (readable < HEADER_LENGTH) {
            return StunParseStatus.TRUNCATED_HEADER;
        }
        int typeField = buf.getUnsignedShort(start);
        if ((typeField & 0xC000) != 0) {
            return StunParseStatus.NOT_STUN;
        }
        if (buf.getInt(start + 4) != MAGIC_COOKIE) {
            return StunParseStatus.BAD_MAGIC_COOKIE;
        }
        int len = buf.getUnsignedShort(start + 2);
        if ((len & 3) != 0) {
            return StunParseStatus.MISALIGNED_LENGTH;
        }
        if (readable > maxMessageBytes) {
            return StunParseStatus.TOO_LARGE;
        }
        if (len != readable - HEADER_LENGTH) {
            return StunParseStatus.LENGTH_MISMATCH;
        }
        messageType = typeField;
        bodyLength = len;
        int end = start + HEADER_LENGTH + len;
        int pos = start + HEADER_LENGTH;
        int walked = 0;
        int cap = types.length;
        while (pos < end) {
            if (end - pos < 4) {
                return StunParseStatus.ATTRIBUTE_PAST_END;
            }
            if (++walked > cap) {
                return StunParseStatus.TOO_MANY_ATTRIBUTES;
            }
            int t = buf.getUnsignedShort(pos);
            int l = buf.getUnsignedShort(pos + 2);
            int padded = (l + 3) & ~3;
            if (padded > end - pos - 4) {
                return StunParseStatus.ATTRIBUTE_PAST_END;
            }
            if (fpIndex >= 0) {
                // FINGERPRINT must be the last attribute (RFC 8489 §14.7).
                return StunParseStatus.BAD_ATTRIBUTE_ORDER;
            }
            if (!StunAttributes.isValidLength(t, l)) {
                return StunParseStatus.BAD_ATTRIBUTE_LENGTH;
            }
            boolean index;
            if (mi256Index >= 0) {
                index = t == StunAttributes.FINGERPRINT;
            } else if (miIndex >= 0) {
                index = t == StunAttributes.FINGERPRINT || t == StunAttributes.MESSAGE_INTEGRITY_SHA256;
            } else {
                index = true;
            }
            if (index) {
                types[count] = t;
                offsets[count] = pos + 4;
                lengths[count] = l;
                switch (t) {
                    case StunAttributes.MESSAGE_INTEGRITY -> miIndex = count;
                    case StunAttributes.MESSAGE_INTEGRITY_SHA256 -> mi256Index = count;
                    case StunAttributes.FINGERPRINT -> fpIndex = count;
                    default -> { }
                }
                count++;
            }
            pos += 4 + padded;
        }
        return StunParseStatus.OK;
    }

    /** The status of the last {@link #wrap}. */
    public StunParseStatus status() {
        return status;
    }

    /** True if the last {@link #wrap} returned {@link StunParseStatus#OK}. */
    public boolean isValid() {
        return status == StunParseStatus.OK;
    }

    /** Forgets the buffer (so a pooled buffer is not referenced after release). */
    public void clear() {
        buf = null;
        count = 0;
        miIndex = mi256Index = fpIndex = -1;
        status = StunParseStatus.TRUNCATED_HEADER;
    }

    /** The wrapped buffer. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the first header byte in {@link #buffer()}. */
    public int start() {
        return start;
    }

    /** The 14-bit message type. */
    public int messageType() {
        return messageType;
    }

    /** The method (see {@link StunMessageType}). */
    public int method() {
        return StunMessageType.method(messageType);
    }

    /** The class (see {@link StunMessageType}). */
    public int messageClass() {
        return StunMessageType.messageClass(messageType);
    }

    /** The header's length field: bytes after the header. */
    public int bodyLength() {
        return bodyLength;
    }

    /** Header plus body. */
    public int totalLength() {
        return HEADER_LENGTH + bodyLength;
    }

    /** Absolute index of the 12-byte transaction id. */
    public int transactionIdOffset() {
        return start + 8;
    }

    /** A copy of the transaction id (allocates). */
    public byte[] transactionId() {
        byte[] id = new byte[TRANSACTION_ID_LENGTH];
        buf.getBytes(start + 8, id);
        return id;
    }

    /** True if this message's transaction id equals {@code id}. */
    public boolean transactionIdEquals(byte[] id) {
        if (id.length != TRANSACTION_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < TRANSACTION_ID_LENGTH; i++) {
            if (buf.getByte(start + 8 + i) != id[i]) {
                return false;
            }
        }
        return true;
    }

    /** Number of indexed attributes. */
    public int attributeCount() {
        return count;
    }

    /** Type of attribute {@code i} (0-based, in message order). */
    public int attributeType(int i) {
        checkIndex(i);
        return types[i];
    }

    /** Absolute index of attribute {@code i}'s value in {@link #buffer()}. */
    public int attributeOffset(int i) {
        checkIndex(i);
        return offsets[i];
    }

    /** Value length (without padding) of attribute {@code i}. */
    public int attributeLength(int i) {
        checkIndex(i);
        return lengths[i];
    }

    /** Index of the first attribute of {@code type}, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the next attribute of {@code type} after index {@code after}, or -1 (for repeated XOR-PEER-ADDRESS). */
    public int indexOf(int type, int after) {
        for (int i = Math.max(0, after + 1); i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    /** True if an attribute of {@code type} is present. */
    public boolean has(int type) {
        return indexOf(type) >= 0;
    }

    /**
     * Collects comprehension-required attribute types (0x0000–0x7FFF) that {@code known} does not accept, for a
     * 420 (Unknown Attribute) response with UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1). No allocation.
     *
     * @param out receives up to {@code out.length} distinct unknown types
     * @return the number written to {@code out}
     */
    public int unknownComprehensionRequired(java.util.function.IntPredicate known, int[] out) {
        int n = 0;
        for (int i = 0; i < count && n < out.length; i++) {
            int t = types[i];
            if (StunAttributes.isComprehensionRequired(t) && !known.test(t)) {
                boolean seen = false;
                for (int k = 0; k < n; k++) {
                    seen |= out[k] == t;
                }
                if (!seen) {
                    out[n++] = t;
                }
            }
        }
        return n;
    }

    /** Index of MESSAGE-INTEGRITY or -1. */
    public int messageIntegrityIndex() {
        return miIndex;
    }

    /** Index of MESSAGE-INTEGRITY-SHA256 or -1. */
    public int messageIntegritySha256Index() {
        return mi256Index;
    }

    /** Index of FINGERPRINT or -1. */
    public int fingerprintIndex() {
        return fpIndex;
    }

    /** The value of a 4-byte attribute as an unsigned 32-bit number. */
    public long uint32(int i) {
        checkIndex(i);
        return buf.getUnsignedInt(offsets[i]);
    }

    /** The value of an 8-byte attribute (ICE-CONTROLLING/CONTROLLED tie-breaker, RESERVATION-TOKEN). */
    public long uint64(int i) {
        checkIndex(i);
        return buf.getLong(offsets[i]);
    }

    /** The first byte of an attribute value (e.g. REQUESTED-TRANSPORT protocol, EVEN-PORT flag). */
    public int firstByte(int i) {
        checkIndex(i);
        return lengths[i] == 0 ? -1 : buf.getUnsignedByte(offsets[i]);
    }

    /** A copy of the value (allocates). */
    public byte[] bytes(int i) {
        checkIndex(i);
        byte[] v = new byte[lengths[i]];
        buf.getBytes(offsets[i], v);
        return v;
    }

    /** A read-only slice of the value sharing the buffer's memory (allocates the slice object only). */
    public ByteBuf slice(int i) {
        checkIndex(i);
        return buf.slice(offsets[i], lengths[i]).asReadOnly();
    }

    /** The value decoded as UTF-8 (USERNAME, REALM, NONCE, SOFTWARE). Allocates. */
    public String string(int i) {
        checkIndex(i);
        return buf.toString(offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    /** Position of the first byte {@code b} in attribute {@code i}'s value relative to its start, or -1. */
    public int indexOfByte(int i, byte b) {
        checkIndex(i);
        int off = offsets[i];
        int len = lengths[i];
        for (int k = 0; k < len; k++) {
            if (buf.getByte(off + k) == b) {
                return k;
            }
        }
        return -1;
    }

    /** True if attribute {@code i}'s value equals {@code expected} byte for byte (not constant time). */
    public boolean valueEquals(int i, byte[] expected) {
        checkIndex(i);
        if (lengths[i] != expected.length) {
            return false;
        }
        int off = offsets[i];
        for (int k = 0; k < expected.length; k++) {
            if (buf.getByte(off + k) != expected[k]) {
                return false;
            }
        }
        return true;
    }

    /** ERROR-CODE number (class*100 + number), or -1 if out of range. */
    public int errorCode(int i) {
        checkIndex(i);
        int off = offsets[i];
        int cls = buf.getByte(off + 2) & 0x07;
        int num = buf.getUnsignedByte(off + 3);
        if (cls < 3 || cls > 6 || num > 99) {
            return -1;
        }
        return cls * 100 + num;
    }

    /** ERROR-CODE reason phrase (allocates). */
    public String errorReason(int i) {
        checkIndex(i);
        return buf.toString(offsets[i] + 4, lengths[i] - 4, StandardCharsets.UTF_8);
    }

    /**
     * Decodes an XOR-*-ADDRESS attribute (XOR-MAPPED, XOR-PEER, XOR-RELAYED) with this message's cookie and
     * transaction id. Returns null if the family is unknown or does not match the length. Allocates the result.
     */
    public InetSocketAddress xorAddress(int i) {
        checkIndex(i);
        return StunAddresses.read(buf, offsets[i], lengths[i], true, start + 8);
    }

    /** Decodes a plain (non-XOR) address attribute such as MAPPED-ADDRESS or ALTERNATE-SERVER, or null. */
    public InetSocketAddress address(int i) {
        checkIndex(i);
        return StunAddresses.read(buf, offsets[i], lengths[i], false, start + 8);
    }

    /** Family of an address attribute: 1 (IPv4), 2 (IPv6), or another value (invalid). */
    public int addressFamily(int i) {
        checkIndex(i);
        return buf.getUnsignedByte(offsets[i] + 1);
    }

    /** The port of an XOR address attribute, un-XORed, without allocating. */
    public int xorPort(int i) {
        checkIndex(i);
        return buf.getUnsignedShort(offsets[i] + 2) ^ (MAGIC_COOKIE >>> 16);
    }

    /** The IPv4 address of an XOR address attribute as an int, un-XORed, without allocating (family must be 1). */
    public int xorIPv4(int i) {
        checkIndex(i);
        return buf.getInt(offsets[i] + 4) ^ MAGIC_COOKIE;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("attribute index " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        if (status != StunParseStatus.OK) {
            return "StunMessage[" + status + "]";
        }
        StringBuilder sb = new StringBuilder("StunMessage[type=0x")
                .append(Integer.toHexString(messageType)).append(", length=").append(bodyLength).append(", attrs=");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ",").append("0x").append(Integer.toHexString(types[i]))
                    .append('(').append(lengths[i]).append(')');
        }
        return sb.append(']').toString();
    }
}
