package dev.chorus.media.datachannel;

/** SCTP payload protocol identifiers of WebRTC (RFC 8831 section 8, RFC 8832 section 8.1). */
public final class Ppid {
    private Ppid() {}

    public static final int DCEP = 50;
    public static final int STRING = 51;
    /** Deprecated partial-message PPIDs: refused (counted) on receipt, never sent. */
    public static final int BINARY_PARTIAL = 52;
    public static final int BINARY = 53;
    public static final int STRING_PARTIAL = 54;
    /** An empty message is sent as one 0x00 byte with these PPIDs (SCTP cannot carry zero-length data). */
    public static final int STRING_EMPTY = 56;
    public static final int BINARY_EMPTY = 57;
}
