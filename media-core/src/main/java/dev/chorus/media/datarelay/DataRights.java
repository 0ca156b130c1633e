package dev.chorus.media.datarelay;

import java.util.Objects;

/**
 * What a participant may do with data messages, from its effective rights (token scopes ∩ project ceiling ∩ room
 * ACL ∩ peer policy), exactly as {@code MediaRights} for media.
 *
 * @param publish   may send ({@code data:publish})
 * @param subscribe may receive at all ({@code data:subscribe})
 * @param policy    whose messages it may receive (peer policy, ACL); ignored without {@code subscribe}
 */
public record DataRights(boolean publish, boolean subscribe, SenderPolicy policy) {

    public DataRights {
        Objects.requireNonNull(policy, "policy");
    }

    public static DataRights all() { return new DataRights(true, true, SenderPolicy.ALL); }

    public static DataRights none() { return new DataRights(false, false, SenderPolicy.NONE); }

    /** True if a message from {@code senderId} may be delivered to this participant. */
    public boolean mayReceiveFrom(String senderId) {
        return subscribe && policy.allows(senderId);
    }
}
