package dev.chorus.signaling.auth;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * Recognises text that looks like an e-mail address or a phone number (TOKENS.md: identities are opaque ids and
 * {@code meta} carries no PII). Deliberately conservative: it catches the common forms ({@code a.b@c.de},
 * {@code +44 20 7946 0958}, {@code (555) 123-4567}, {@code tel:+1555…}, ten and more digits) and does not flag
 * UUIDs, hex hashes, dates or short numeric ids.
 */
public final class PiiGuard {
    private static final Pattern EMAIL = Pattern.compile(
            "[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+(\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}");
    /** A run of 7-15 digits, optionally led by + and broken by spaces, dots, dashes or parentheses. */
    private static final Pattern PHONE = Pattern.compile("(?<![A-Za-z0-9])(tel:)?\\+?\\(?[0-9]{1,4}\\)?([ .-]?\\(?[0-9]{2,4}\\)?){2,5}(?![A-Za-z0-9])");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private PiiGuard() {
    }

    /** "email", "phone" or null. Checked on the {@link #canonical} form, so look-alike characters do not hide PII. */
    public static String looksLikePii(String raw) {
        if (raw == null) return null;
        String text = canonical(raw);
        if (EMAIL.matcher(text).find()) return "email";
        String withoutUuids = UUID.matcher(text).replaceAll("");
        var m = PHONE.matcher(withoutUuids);
        while (m.find()) {
            long digits = m.group().chars().filter(Character::isDigit).count();
            // dates and version-like ids (2026-01-15) have dashes too: only an international prefix, tel:,
            // parentheses or ten and more digits make a phone number
            boolean formatted = m.group().startsWith("+") || m.group().startsWith("tel:") || m.group().contains("(");
            if (digits >= 7 && digits <= 15 && (formatted || digits >= 10)) return "phone";
        }
        return null;
    }

    /**
     * Convert before comparing: NFKC folds compatibility forms (fullwidth {@code ＠ ＋ ０-９}, small and circled
     * variants) to ASCII, every decimal digit of any script (Arabic-Indic, Devanagari, …) becomes its ASCII digit,
     * and invisible format characters (zero-width joiners and spaces, bidi controls) are dropped.
     */
    static String canonical(String text) {
        String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
        StringBuilder sb = new StringBuilder(nfkc.length());
        nfkc.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type == Character.FORMAT) return;
            if (type == Character.DECIMAL_DIGIT_NUMBER) {
                sb.append((char) ('0' + Character.digit(cp, 10)));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }
}
