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
 *       S's token has no allow list);</li>
 *   <li>may S receive P's data messages = the same with {@code data:subscribe} and the ACL entries about P as a
 *       whole (docs/data-channels.md).</li>
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
        if (!subscriberScopes.contains(Scope.SUBSCRIBE)) return false;
        return allowedBy(subscriber, policy, publisher, kind, trackId, acl, aclMode);
    }

    /** The kind data messages have for the ACL: only entries naming the publisher without a kind or track cover it. */
    public static final String DATA_KIND = "data";

    /**
     * May subscriber S receive data messages from participant P: S has {@code data:subscribe}, then the same token
     * policy and ACL decision as for P's media. ACL entries naming P with no kind and no track apply; an entry for
     * one media kind or track does not (it is about that media).
     */
    public static boolean mayReceiveData(String subscriber, Set<Scope> subscriberScopes, PeerPolicy policy,
                                         Publisher publisher, List<AclEntry> acl, boolean aclMode) {
        if (!subscriberScopes.contains(Scope.DATA_SUBSCRIBE)) return false;
        return allowedBy(subscriber, policy, publisher, DATA_KIND, "", acl, aclMode);
    }

    /** Token policy and ACL, the part shared by media and data. */
    private static boolean allowedBy(String subscriber, PeerPolicy policy, Publisher publisher, String kind,
                                     String trackId, List<AclEntry> acl, boolean aclMode) {
        if (publisher == null) return false;
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
