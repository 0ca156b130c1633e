package dev.chorus.signaling.project;

import dev.chorus.signaling.auth.PeerPolicy;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The live-authorization rules (TOKENS.md "Live authorization"), as pure functions of their inputs so every caller
 * (join, refresh, an API change) computes the same answer:
 * <ul>
 *   <li>scopes = token scopes ∩ project ceiling − scopes the backend took away for this identity in this room;</li>
 *   <li>may subscriber S receive publisher P's track = S has {@code media:subscribe}, and no token-policy deny and
 *       no ACL revocation covers it, and (S's token policy allows P, or an ACL grant does, or ACL mode is off and
 *       S's token has no allow list).</li>
 * </ul>
 */
public final class EffectiveRights {
    private EffectiveRights() {
    }

    public static Set<Scope> scopes(Set<Scope> token, Project project, Collection<ScopeOverride> roomOverrides,
                                    String identity) {
        Set<Scope> out = token.isEmpty() ? EnumSet.noneOf(Scope.class) : EnumSet.copyOf(token);
        out.retainAll(project.scopeCeiling());
        for (ScopeOverride o : roomOverrides) {
            if (o.identity().equals(identity)) out.remove(o.scope());
        }
        return out;
    }

    /** Who publishes a track, as the policy sees it: the token identity and groups of the publisher. */
    public record Publisher(String identity, List<String> groups) {}

    /**
     * @param acl     the project's ACL entries (any order; the most specific entry for the pair decides)
     * @param aclMode the project's ACL mode ({@link AccessPolicy#aclMode()})
     */
    public static boolean maySubscribe(String subscriber, Set<Scope> subscriberScopes, PeerPolicy policy,
                                       Publisher publisher, String kind, String trackId, List<AclEntry> acl,
                                       boolean aclMode) {
        if (!subscriberScopes.contains(Scope.SUBSCRIBE) || publisher == null) return false;
        if (matches(policy.subscribeDeny(), publisher)) return false;
        AclEntry decisive = null;
        for (AclEntry e : acl) {
            if (e.subscriber().equals(subscriber) && e.covers(publisher.identity(), kind, trackId)
                    && (decisive == null || e.specificity() > decisive.specificity()
                    || (e.specificity() == decisive.specificity() && e.effect() == AclEntry.Effect.DENY))) {
                decisive = e;
            }
        }
        if (decisive != null && decisive.effect() == AclEntry.Effect.DENY) return false;
        if (decisive != null) return true;
        if (matches(policy.subscribeAllow(), publisher)) return true;
        if (aclMode) return false;
        // ACLs off (dev mode): anyone with media:subscribe receives everything, unless its own token names whom
        // it may receive (a non-empty allow list still holds)
        return policy.subscribeAllow().isEmpty();
    }

    private static boolean matches(List<String> selectors, Publisher p) {
        for (String s : selectors) {
            if (s.startsWith("sub:") && s.substring(4).equals(p.identity())) return true;
            if (s.startsWith("grp:") && p.groups().contains(s.substring(4))) return true;
        }
        return false;
    }
}
