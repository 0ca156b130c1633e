package dev.chorus.media.sctp;

/** Chunk and parameter type numbers and flags of RFC 9260 (SCTP), RFC 3758 (PR-SCTP) and RFC 6525 (RE-CONFIG). */
public final class SctpChunks {
    private SctpChunks() {}

    public static final int DATA = 0;
    public static final int INIT = 1;
    public static final int INIT_ACK = 2;
    public static final int SACK = 3;
    public static final int HEARTBEAT = 4;
    public static final int HEARTBEAT_ACK = 5;
    public static final int ABORT = 6;
    public static final int SHUTDOWN = 7;
    public static final int SHUTDOWN_ACK = 8;
    public static final int ERROR = 9;
    public static final int COOKIE_ECHO = 10;
    public static final int COOKIE_ACK = 11;
    public static final int SHUTDOWN_COMPLETE = 14;
    public static final int RE_CONFIG = 130;
    public static final int FORWARD_TSN = 192;

    /** DATA chunk flags. */
    public static final int FLAG_END = 0x01;
    public static final int FLAG_BEGIN = 0x02;
    public static final int FLAG_UNORDERED = 0x04;
    /** ABORT / SHUTDOWN-COMPLETE: the verification tag is the sender's own (reflected). */
    public static final int FLAG_T = 0x01;

    /** INIT / INIT-ACK parameters. */
    public static final int PARAM_STATE_COOKIE = 7;
    public static final int PARAM_SUPPORTED_EXTENSIONS = 0x8008;
    public static final int PARAM_FORWARD_TSN_SUPPORTED = 0xC000;
    /** HEARTBEAT parameter. */
    public static final int PARAM_HEARTBEAT_INFO = 1;
    /** RE-CONFIG parameters (RFC 6525 section 4). */
    public static final int PARAM_OUTGOING_SSN_RESET = 13;
    public static final int PARAM_RECONFIG_RESPONSE = 16;

    /** RE-CONFIG response results (RFC 6525 section 4.4). */
    public static final int RESULT_NOTHING_TO_DO = 0;
    public static final int RESULT_PERFORMED = 1;
    public static final int RESULT_DENIED = 2;
    public static final int RESULT_BAD_SEQUENCE = 5;
    public static final int RESULT_IN_PROGRESS = 6;

    /** Error causes we send in ABORT. */
    public static final int CAUSE_PROTOCOL_VIOLATION = 13;
    public static final int CAUSE_USER_INITIATED_ABORT = 12;
    public static final int CAUSE_NO_USER_DATA = 9;

    /** Size of the common header (ports, verification tag, checksum). */
    public static final int COMMON_HEADER = 12;
    public static final int DATA_HEADER = 16;
}
