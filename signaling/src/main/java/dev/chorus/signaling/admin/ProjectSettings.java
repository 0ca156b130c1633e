package dev.chorus.signaling.admin;

import java.util.List;

/**
 * The settings of a project an operator can set at creation or change later; null means "unchanged" (or the default
 * at creation). Wire names are those of the admin API and {@code chorus projects create|update}.
 *
 * @param scopeCeiling            the most any join token of the project can grant (join-token scope names)
 * @param maxTokenTtlSeconds      the longest join token lifetime (at most 86 400)
 * @param aclMode                 ACL mode (docs/live-authorization.md); only the operator may switch it off
 * @param allowPiiIdentities      opt-out of the PII guard
 * @param maxRooms                open rooms at most
 * @param maxParticipantsPerRoom  participants per room at most
 */
public record ProjectSettings(String name, List<String> scopeCeiling, Long maxTokenTtlSeconds, Boolean aclMode,
                              Boolean allowPiiIdentities, Integer maxRooms, Integer maxParticipantsPerRoom,
                              Boolean hs256JoinTokens, Boolean autoCreateRooms) {
    public static final ProjectSettings NONE = new ProjectSettings(null, null, null, null, null, null, null, null, null);

    /** Highest room and participant limits an operator can set (a sanity bound, not a capacity promise). */
    public static final int MAX_LIMIT = 100_000;

    public boolean changesNothing() {
        return equals(NONE);
    }
}
