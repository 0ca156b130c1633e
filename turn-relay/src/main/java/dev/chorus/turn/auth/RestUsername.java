package dev.chorus.turn.auth;

/**
 * Parses TURN REST API usernames of the form {@code expiry:opaque-id}, where expiry is Unix seconds.
 * Strict on purpose: anything that is not exactly one run of decimal digits, one colon and a short token of
 * {@code [A-Za-z0-9._~-]} is refused, so that odd encodings never reach the HMAC or a log line.
 */
public final class RestUsername {
    /** Longest username accepted: 12 digits + ':' + 64 characters of id. */
    public static final int MAX_LENGTH = 12 + 1 + 64;
    /** Returned by {@link #expiry} when the username is malformed. */
    public static final long MALFORMED = -1;

    private RestUsername() {}

    /** The expiry in Unix seconds, or {@link #MALFORMED}. Never throws. */
    public static long expiry(String username) {
        if (username == null) return MALFORMED;
        int n = username.length();
        if (n < 3 || n > MAX_LENGTH) return MALFORMED;
        int colon = username.indexOf(':');
        if (colon < 1 || colon > 12 || colon == n - 1) return MALFORMED;
        long value = 0;
        for (int i = 0; i < colon; i++) {
            char c = username.charAt(i);
            if (c < '0' || c > '9') return MALFORMED;
            value = value * 10 + (c - '0');  // at most 12 digits: no overflow
        }
        if (n - colon - 1 > 64) return MALFORMED;
        for (int i = colon + 1; i < n; i++) {
            if (!idChar(username.charAt(i))) return MALFORMED;  // also refuses a second ':'
        }
        return value;
    }

    static boolean idChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** True when {@code id} can be used as the opaque part. */
    public static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) return false;
        for (int i = 0; i < id.length(); i++) if (!idChar(id.charAt(i))) return false;
        return true;
    }

    /**
     * The opaque id of a well-formed username (after the colon): Chorus issues every credential of one participant
     * session with the same id, so it names the session for revocation. Call only after {@link #expiry} accepted it.
     */
    public static String opaqueId(String username) {
        return username.substring(username.indexOf(':') + 1);
    }

    /**
     * Who the credential belongs to, for the allocation quota: the opaque id up to its first {@code .}. Chorus issues
     * {@code expiry:identityTag.sessionTag}, so all the usernames one identity is given (one per join and per token
     * refresh) share an owner; a username without a dot is its own owner (coturn-style REST usernames).
     */
    public static String owner(String username) {
        String id = opaqueId(username);
        int dot = id.indexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }
}
