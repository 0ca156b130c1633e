package dev.chorus.signaling.project;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * Canonical forms of the identifiers Chorus compares. Everything is checked here, before any lookup, so a kid like
 * {@code ../../etc/passwd}, {@code ' OR 1=1 --}, a NUL byte or 10 KB of text never reaches the store.
 *
 * <p>Room ids and subjects are caller-chosen text. They may contain anything printable (including
 * {@code ${jndi:…}}, {@code %s}, SQL or HTML, which are stored verbatim through bound parameters and escaped in JSON),
 * but they must already be in Unicode NFC, must not contain control, format (bidi overrides, zero-width) or
 * line/paragraph separator characters, and are bounded in length. Rejecting rather than normalising keeps one
 * spelling per identity: what the backend signed is exactly what is compared.
 */
public final class Identifiers {
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern PROJECT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:_.-]{0,63}");
    public static final int MAX_ROOM_ID_CHARS = 128;
    public static final int MAX_SUBJECT_CHARS = 256;

    private Identifiers() {
    }

    public static boolean isKid(String s) {
        return s != null && s.length() <= 64 && KID.matcher(s).matches();
    }

    public static boolean isProjectId(String s) {
        return s != null && s.length() <= 64 && PROJECT_ID.matcher(s).matches();
    }

    public static boolean isGroup(String s) {
        return s != null && s.length() <= 64 && GROUP.matcher(s).matches();
    }

    public static boolean isRoomId(String s) {
        return isSafeText(s, MAX_ROOM_ID_CHARS);
    }

    /** A participant's display name (the token's {@code name} claim): printable, NFC, at most this many code points. */
    public static final int MAX_DISPLAY_NAME_CHARS = 64;

    public static boolean isDisplayName(String s) {
        return isSafeText(s, MAX_DISPLAY_NAME_CHARS);
    }

    public static boolean isSubject(String s) {
        return isSafeText(s, MAX_SUBJECT_CHARS);
    }

    public static String requireKid(String s) {
        if (!isKid(s)) {
            throw new IllegalArgumentException("invalid key id");
        }
        return s;
    }

    public static String requireProjectId(String s) {
        if (!isProjectId(s)) {
            throw new IllegalArgumentException("invalid project id");
        }
        return s;
    }

    public static String requireRoomId(String s) {
        if (!isRoomId(s)) {
            throw new IllegalArgumentException("invalid room id");
        }
        return s;
    }

    /** Printable, NFC, bounded text: the canonical form for ids a caller chooses. */
    static boolean isSafeText(String s, int maxChars) {
        if (s == null || s.isEmpty() || s.length() > maxChars * 2) {
            return false;
        }
        int count = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE
                    || type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
                return false;
            }
            i += Character.charCount(cp);
            count++;
        }
        if (count > maxChars || s.isBlank()) {
            return false;
        }
        return Normalizer.isNormalized(s, Normalizer.Form.NFC);
    }
}
