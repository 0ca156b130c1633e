package dev.chorus.media.sfu;

/**
 * Decides whether a subscriber may receive a published track. Signaling builds it from token scopes, the peer
 * policy and the room ACL (TOKENS.md, "Live authorization") and replaces it with {@link Participant#updateRights}.
 *
 * <p>Runs on the room's worker thread whenever a subscription could be created (a track is published, a
 * participant joins, rights change). It must be fast, non-blocking, side-effect free and thread-safe (build it
 * from immutable data): it is never called per packet.
 */
@FunctionalInterface
public interface SubscribePolicy {
    /** True if the subscriber may receive {@code track}. */
    boolean allows(TrackInfo track);

    /** Any track in the room (dev mode, ACLs off). */
    SubscribePolicy ALL = track -> true;
    /** No track. */
    SubscribePolicy NONE = track -> false;
}
