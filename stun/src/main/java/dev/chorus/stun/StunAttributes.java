package dev.chorus.stun;

/**
 * STUN attribute type registry values (RFC 8489, RFC 8656, RFC 8445, RFC 6062, RFC 8016, RFC 5780)
 * and the fixed or maximum value lengths the parser enforces.
 */
public final class StunAttributes {
    private StunAttributes() {}

    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int CHANGE_REQUEST = 0x0003;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int DATA = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    public static final int EVEN_PORT = 0x0018;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int DONT_FRAGMENT = 0x001A;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int RESERVATION_TOKEN = 0x0022;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int PADDING = 0x0026;
    public static final int RESPONSE_PORT = 0x0027;
    public static final int CONNECTION_ID = 0x002A;
    public static final int ADDITIONAL_ADDRESS_FAMILY = 0x8000;
    public static final int ADDRESS_ERROR_CODE = 0x8001;
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    public static final int ALTERNATE_DOMAIN = 0x8003;
    public static final int ICMP = 0x8004;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int TRANSACTION_TRANSMIT_COUNTER = 0x8025;
    public static final int CACHE_TIMEOUT = 0x8027;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;
    public static final int RESPONSE_ORIGIN = 0x802B;
    public static final int OTHER_ADDRESS = 0x802C;

    /** USERNAME is at most 513 bytes (RFC 8489 §14.3). */
    public static final int MAX_USERNAME_BYTES = 513;
    /** REALM, NONCE, SOFTWARE, ERROR-CODE reason: fewer than 128 characters, at most 763 bytes. */
    public static final int MAX_TEXT_BYTES = 763;

    /** PASSWORD-ALGORITHM value: MD5 (RFC 8489 §18.5). */
    public static final int PASSWORD_ALGORITHM_MD5 = 0x0001;
    /** PASSWORD-ALGORITHM value: SHA-256. */
    public static final int PASSWORD_ALGORITHM_SHA256 = 0x0002;

    /** REQUESTED-TRANSPORT protocol number for UDP. */
    public static final int TRANSPORT_UDP = 17;
    /** REQUESTED-TRANSPORT protocol number for TCP. */
    public static final int TRANSPORT_TCP = 6;

    /** Comprehension-required attributes are 0x0000-0x7FFF (RFC 8489 §14). */
    public static boolean isComprehensionRequired(int type) {
        return type < 0x8000;
    }

    /**
     * Checks a value length against what the RFCs allow for known attribute types.
     * Unknown types accept any length (the caller decides about comprehension-required ones).
     */
    public static boolean isValidLength(int type, int length) {
        return switch (type) {
            case MESSAGE_INTEGRITY -> length == 20;
            case MESSAGE_INTEGRITY_SHA256 -> length >= 16 && length <= 32 && (length & 3) == 0;
            case FINGERPRINT, PRIORITY, LIFETIME, CHANNEL_NUMBER, REQUESTED_TRANSPORT,
                 REQUESTED_ADDRESS_FAMILY, ADDITIONAL_ADDRESS_FAMILY, CHANGE_REQUEST, RESPONSE_PORT,
                 CONNECTION_ID, CACHE_TIMEOUT, ICMP -> length == 4;
            case ICE_CONTROLLED, ICE_CONTROLLING, RESERVATION_TOKEN -> length == 8;
            case USE_CANDIDATE, DONT_FRAGMENT -> length == 0;
            case EVEN_PORT -> length == 1;
            case USERHASH -> length == 32;
            case MAPPED_ADDRESS, XOR_MAPPED_ADDRESS, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS,
                 ALTERNATE_SERVER, RESPONSE_ORIGIN, OTHER_ADDRESS -> length == 8 || length == 20;
            case USERNAME -> length <= MAX_USERNAME_BYTES;
            case REALM, NONCE, SOFTWARE, ALTERNATE_DOMAIN -> length <= MAX_TEXT_BYTES;
            case ERROR_CODE -> length >= 4 && length <= 4 + MAX_TEXT_BYTES;
            case ADDRESS_ERROR_CODE -> length >= 4 && length <= 4 + MAX_TEXT_BYTES;
            case UNKNOWN_ATTRIBUTES -> (length & 1) == 0;
            case PASSWORD_ALGORITHMS -> length >= 4;
            case PASSWORD_ALGORITHM -> length >= 4;
            default -> true;
        };
    }
}
