package dev.chorus.media.datarelay;

/**
 * Whether a receiver may get messages from a sender. Signaling builds it from the same decision as media (token
 * peer policy and room ACL over the sender's identity and groups, {@code PeerSelector}) and replaces it live with
 * {@link DataRelay#updateRights}. Must be fast, side-effect free and built from immutable data.
 */
@FunctionalInterface
public interface SenderPolicy {
    /** True if messages from participant {@code senderId} may be delivered. */
    boolean allows(String senderId);

    SenderPolicy ALL = sender -> true;
    SenderPolicy NONE = sender -> false;
}
