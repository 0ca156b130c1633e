package dev.chorus.media.simulcast;

/**
 * The picture id field VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) descriptors share: {@code M|PictureID}, 7 bits,
 * or 15 bits when M is set. One reading and one in-place writing for both. No allocation.
 */
final class PictureIdField {
    private PictureIdField() { }

    /** The field at {@code at} is 15 bits (M set). */
    static boolean isLong(byte[] buf, int at) {
        return (buf[at] & 0x80) != 0;
    }

    /** The field's value (the caller checked that its bytes lie inside the payload). */
    static int read(byte[] buf, int at, boolean longId) {
        return longId ? ((buf[at] & 0x7F) << 8) | (buf[at + 1] & 0xFF) : buf[at] & 0x7F;
    }

    /** Writes {@code id} keeping the field's width; returns the value written (the id modulo the width). */
    static int write(byte[] buf, int at, boolean longId, int id) {
        if (longId) {
            buf[at] = (byte) (0x80 | ((id >>> 8) & 0x7F));
            buf[at + 1] = (byte) id;
            return id & 0x7FFF;
        }
        buf[at] = (byte) (id & 0x7F);
        return id & 0x7F;
    }
}
