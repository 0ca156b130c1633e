package dev.chorus.stun;

/**
 * STUN message type helpers (RFC 8489 §5): the 14-bit type interleaves a 12-bit method and a 2-bit class.
 * Methods and classes are plain {@code int} constants so that the hot path never boxes or allocates.
 */
public final class StunMessageType {
    private StunMessageType() {}

    /** Class: request. */
    public static final int CLASS_REQUEST = 0b00;
    /** Class: indication. */
    public static final int CLASS_INDICATION = 0b01;
    /** Class: success response. */
    public static final int CLASS_SUCCESS = 0b10;
    /** Class: error response. */
    public static final int CLASS_ERROR = 0b11;

    /** Binding (RFC 8489). */
    public static final int METHOD_BINDING = 0x001;
    /** Allocate (RFC 8656). */
    public static final int METHOD_ALLOCATE = 0x003;
    /** Refresh (RFC 8656). */
    public static final int METHOD_REFRESH = 0x004;
    /** Send (RFC 8656, indication only). */
    public static final int METHOD_SEND = 0x006;
    /** Data (RFC 8656, indication only). */
    public static final int METHOD_DATA = 0x007;
    /** CreatePermission (RFC 8656). */
    public static final int METHOD_CREATE_PERMISSION = 0x008;
    /** ChannelBind (RFC 8656). */
    public static final int METHOD_CHANNEL_BIND = 0x009;
    /** Connect (RFC 6062). */
    public static final int METHOD_CONNECT = 0x00A;
    /** ConnectionBind (RFC 6062). */
    public static final int METHOD_CONNECTION_BIND = 0x00B;
    /** ConnectionAttempt (RFC 6062). */
    public static final int METHOD_CONNECTION_ATTEMPT = 0x00C;

    /** Binding request type 0x0001. */
    public static final int BINDING_REQUEST = type(METHOD_BINDING, CLASS_REQUEST);
    /** Binding success response type 0x0101. */
    public static final int BINDING_SUCCESS = type(METHOD_BINDING, CLASS_SUCCESS);
    /** Binding error response type 0x0111. */
    public static final int BINDING_ERROR = type(METHOD_BINDING, CLASS_ERROR);
    /** Binding indication type 0x0011 (used as a keep-alive). */
    public static final int BINDING_INDICATION = type(METHOD_BINDING, CLASS_INDICATION);

    /** Encodes a method (0..0xFFF) and a class (0..3) into a 14-bit message type. */
    public static int type(int method, int messageClass) {
        if ((method & ~0xFFF) != 0 || (messageClass & ~0b11) != 0) {
            throw new IllegalArgumentException("method or class out of range");
        }
        return (method & 0x000F)
                | ((method & 0x0070) << 1)
                | ((method & 0x0F80) << 2)
                | ((messageClass & 0b01) << 4)
                | ((messageClass & 0b10) << 7);
    }

    /** The method encoded in a 14-bit message type. */
    public static int method(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    /** The class (one of the {@code CLASS_*} constants) encoded in a message type. */
    public static int messageClass(int type) {
        return ((type >> 4) & 0b01) | ((type >> 7) & 0b10);
    }

    /** The same method with another class, e.g. the success response type for a request type. */
    public static int withClass(int type, int messageClass) {
        return type(method(type), messageClass);
    }
}
