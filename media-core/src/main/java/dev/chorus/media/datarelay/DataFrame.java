package dev.chorus.media.datarelay;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of relayed messages on a participant's data channels (binary WebRTC messages, PPID 53), sans-IO.
 * Version 1, big-endian (docs/protocol.md, "Data channels"):
 *
 * <pre>
 * client → SFU:  u8 version=1 | u8 flags | u8 topicLen | topic (UTF-8) | u16 destCount | destCount × (u8 len | id) | payload
 * SFU → client:  u8 version=1 | u8 flags | u8 topicLen | topic (UTF-8) | u8 senderLen | sender id (UTF-8)  | payload
 * </pre>
 *
 * {@code flags} bit 0: the payload is UTF-8 text (else bytes); the other bits are 0. A client frame carries no
 * sender: the SFU attaches the id of the participant whose transport the frame arrived on. A destination count of 0
 * means "everyone allowed". Anything else (other version or flags, a length past the end, invalid UTF-8) is
 * malformed: dropped and counted by the caller.
 */
public final class DataFrame {
    public static final int VERSION = 1;
    public static final int FLAG_TEXT = 1;
    /** Longest participant id a delivered frame can carry (u8 length). */
    public static final int MAX_ID_BYTES = 255;

    /** A decoded client frame; the payload is {@code frame[payloadOffset, frame.length)}. */
    public record Inbound(String topic, List<String> destinations, boolean text, int payloadOffset) {
        public int payloadLength(byte[] frame) { return frame.length - payloadOffset; }
    }

    private DataFrame() { }

    /** Decodes a client frame, or null if it is malformed. Never throws. */
    public static Inbound decode(byte[] f) {
        if (f.length < 5 || (f[0] & 0xFF) != VERSION || (f[1] & ~FLAG_TEXT) != 0) return null;
        int topicLen = f[2] & 0xFF;
        int p = 3;
        if (topicLen == 0 || p + topicLen + 2 > f.length) return null;
        String topic = utf8(f, p, topicLen);
        if (topic == null) return null;
        p += topicLen;
        int count = (f[p] & 0xFF) << 8 | f[p + 1] & 0xFF;
        p += 2;
        if (count > DataLimits.MAX_DESTINATIONS) return null;
        List<String> destinations = null;
        if (count > 0) {
            destinations = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (p >= f.length) return null;
                int len = f[p++] & 0xFF;
                if (len == 0 || p + len > f.length) return null;
                String id = utf8(f, p, len);
                if (id == null) return null;
                destinations.add(id);
                p += len;
            }
        }
        return new Inbound(topic, destinations, (f[1] & FLAG_TEXT) != 0, p);
    }

    /**
     * Encodes a client frame (the SDK's job; here for tests, benchmarks and the interop clients).
     *
     * @throws IllegalArgumentException if the topic or an id does not fit its length field
     */
    public static byte[] encodeClient(String topic, List<String> destinations, boolean text, byte[] payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        List<String> dests = destinations == null ? List.of() : destinations;
        if (t.length == 0 || t.length > 255 || dests.size() > 0xFFFF) throw new IllegalArgumentException("topic");
        List<byte[]> ids = new ArrayList<>(dests.size());
        int size = 3 + t.length + 2 + payload.length;
        for (String d : dests) {
            byte[] b = d.getBytes(StandardCharsets.UTF_8);
            if (b.length == 0 || b.length > MAX_ID_BYTES) throw new IllegalArgumentException("destination id");
            ids.add(b);
            size += 1 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).put((byte) (text ? FLAG_TEXT : 0)).put((byte) t.length).put(t);
        out.putShort((short) ids.size());
        for (byte[] b : ids) out.put((byte) b.length).put(b);
        return out.put(payload).array();
    }

    /**
     * Encodes the frame delivering {@code m} to a receiver, or null if the sender id does not fit (longer than
     * {@value #MAX_ID_BYTES} UTF-8 bytes; the caller counts it as undeliverable).
     */
    public static byte[] encodeDelivery(DataMessage m) {
        byte[] t = m.topic().getBytes(StandardCharsets.UTF_8);
        byte[] s = m.senderId().getBytes(StandardCharsets.UTF_8);
        if (t.length == 0 || t.length > 255 || s.length == 0 || s.length > MAX_ID_BYTES) return null;
        byte[] p = m.payload();
        ByteBuffer out = ByteBuffer.allocate(3 + t.length + 1 + s.length + p.length);
        out.put((byte) VERSION).put((byte) (m.binary() ? 0 : FLAG_TEXT)).put((byte) t.length).put(t);
        out.put((byte) s.length).put(s);
        return out.put(p).array();
    }

    /** Strict UTF-8 (an invalid sequence is malformed, not replaced), or null. */
    private static String utf8(byte[] b, int off, int len) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len));
            return c.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
