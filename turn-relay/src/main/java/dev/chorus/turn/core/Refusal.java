package dev.chorus.turn.core;

/** Why the core refused or dropped something; the {@code reason} tag of {@code chorus.turn.refusals}. */
public enum Refusal {
    MALFORMED,             // not STUN/ChannelData, bad FINGERPRINT, bad attribute: dropped
    UNAUTHORIZED,          // 401: missing or wrong credentials, malformed/expired username, retired secret
    STALE_NONCE,           // 438
    RATE_LIMITED,          // 401/438 not sent: the source exceeded its budget
    BAD_REQUEST,           // 400 (incl. channel rebinding rules)
    UNKNOWN_ATTRIBUTE,     // 420
    ALLOCATION_MISMATCH,   // 437
    WRONG_CREDENTIALS,     // 441
    UNSUPPORTED_TRANSPORT, // 442
    ADDRESS_FAMILY,        // 440 / 443
    QUOTA,                 // 486
    CAPACITY,              // 508
    FORBIDDEN_PEER,        // 403 (or a dropped Send) by the peer address policy
    NO_PERMISSION,         // data to/from a peer without permission or channel: dropped
    BANDWIDTH,             // over the allocation's bandwidth: dropped
    NO_ALLOCATION,         // indication/ChannelData without an allocation: dropped
    REVOKED                // 401: a valid credential of a session that was closed or revoked
}
