package dev.chorus.turn.policy;

import dev.chorus.common.net.AddressForms;
import dev.chorus.common.net.AddressRange;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a relay may talk to a peer address (CreatePermission, ChannelBind, Send). Every form of the
 * address ({@link AddressForms#allForms}) is judged; one refused form refuses the address. Order:
 * <ol>
 *   <li>the configured deny-list refuses (it beats everything);</li>
 *   <li>the server's own listening ports on a loopback, unspecified or own address are refused, even when
 *       loopback is allowed (no relaying into ourselves);</li>
 *   <li>the SFU's media addresses are allowed, even inside special-purpose ranges (an SFU on a private
 *       network: its relayed clients must reach it); in media-only mode (the default of a Chorus server: all a
 *       call through the SFU needs) nothing else is;</li>
 *   <li>a form inside the built-in special-purpose ranges ({@link SpecialRanges}) is refused unless the
 *       configured allow-list covers it.</li>
 * </ol>
 * Immutable and thread-safe; no allocation beyond {@link AddressForms#allForms} for IPv6 input.
 */
public final class RelayPeerPolicy {
    /** Why a peer was refused; the tag value of the refusal metric. */
    public enum Verdict { ALLOWED, DENY_LIST, OWN_PORT, NOT_MEDIA, SPECIAL_RANGE, BAD_PORT }

    private final List<AddressRange> allow;
    private final List<AddressRange> deny;
    private final List<byte[]> mediaAddresses;
    private final boolean mediaOnly;
    private final List<byte[]> ownAddresses;
    private final Set<Integer> ownPorts;

    /** Media-only when {@code mediaAddresses} is not empty (the historical constructor). */
    public RelayPeerPolicy(List<AddressRange> allow, List<AddressRange> deny, List<byte[]> mediaAddresses,
                           List<byte[]> ownAddresses, Set<Integer> ownPorts) {
        this(allow, deny, mediaAddresses, !mediaAddresses.isEmpty(), ownAddresses, ownPorts);
    }

    /**
     * @param mediaAddresses the SFU's media addresses, allowed even in special-purpose ranges
     * @param mediaOnly      refuse every other peer ({@link Verdict#NOT_MEDIA})
     */
    public RelayPeerPolicy(List<AddressRange> allow, List<AddressRange> deny, List<byte[]> mediaAddresses,
                           boolean mediaOnly, List<byte[]> ownAddresses, Set<Integer> ownPorts) {
        if (mediaOnly && mediaAddresses.isEmpty()) throw new IllegalArgumentException("media-only without media addresses");
        this.mediaOnly = mediaOnly;
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
        this.mediaAddresses = mediaAddresses.stream().map(AddressForms::canonical).toList();
        this.ownAddresses = ownAddresses.stream().map(AddressForms::canonical).toList();
        this.ownPorts = Set.copyOf(ownPorts);
    }

    /** The default: no exceptions, every special-purpose range refused. */
    public static RelayPeerPolicy defaults(Set<Integer> ownPorts) {
        return new RelayPeerPolicy(List.of(), List.of(), List.of(), List.of(), ownPorts);
    }

    /** @param port the peer port, or -1 when the request carries none that matters (CreatePermission) */
    public Verdict check(byte[] address, int port) {
        if (port == 0) return Verdict.BAD_PORT;
        List<byte[]> forms = address.length == 4 ? List.of(address) : AddressForms.allForms(address);
        for (byte[] f : forms) if (any(deny, f)) return Verdict.DENY_LIST;
        if (port > 0 && ownPorts.contains(port)) {
            for (byte[] f : forms) {
                if (SpecialRanges.isLoopbackOrUnspecified(f) || contains(ownAddresses, f)) return Verdict.OWN_PORT;
            }
        }
        // the SFU's own media addresses (possibly private ones inside a VPC) are what a Chorus call relays to
        if (contains(mediaAddresses, forms.getFirst())) return Verdict.ALLOWED;
        if (mediaOnly) return Verdict.NOT_MEDIA;
        for (byte[] f : forms) {
            if (SpecialRanges.isSpecial(f) && !any(allow, f)) return Verdict.SPECIAL_RANGE;
        }
        return Verdict.ALLOWED;
    }

    private static boolean any(List<AddressRange> list, byte[] a) {
        for (int i = 0; i < list.size(); i++) if (list.get(i).containsForm(a)) return true;
        return false;
    }

    private static boolean contains(List<byte[]> list, byte[] a) {
        for (int i = 0; i < list.size(); i++) if (java.util.Arrays.equals(list.get(i), a)) return true;
        return false;
    }
}
