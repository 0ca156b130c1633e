package dev.chorus.turn.core;

import java.net.InetAddress;

/**
 * Protocol settings of the sans-IO core (the Netty edge adds listener settings in {@code TurnConfig}).
 *
 * @param realm                   REALM sent in 401/438
 * @param maxCredentialTtlSeconds usernames expiring further in the future than this are refused (our issuer
 *                                never goes beyond 10 minutes; coturn's tools use one day)
 * @param nonceTtlSeconds         after this a nonce is stale (438)
 * @param defaultLifetimeSeconds  allocation lifetime when none or a smaller one is asked for (RFC 8656: 600)
 * @param maxLifetimeSeconds      longest allocation lifetime granted (RFC 8656: 3600)
 * @param relayAddress            IPv4 address the relay sockets bind to and advertise
 * @param relayPortMin            first relay port
 * @param relayPortMax            last relay port
 * @param maxAllocationsPerUser   486 beyond this (per credential owner: {@link dev.chorus.turn.auth.RestUsername#owner},
 *                                so every username issued to one identity counts together)
 * @param maxAllocations          508 beyond this (whole server)
 * @param maxPermissions          permissions per allocation; 508 beyond this
 * @param maxChannels             channel bindings per allocation; 508 beyond this
 * @param bandwidthBytesPerSecond relayed bytes per allocation and direction, token bucket rate
 * @param bandwidthBurstBytes     token bucket size
 * @param unauthorizedPerSecond   401/438 responses per source address and second
 * @param unauthorizedBurst       401/438 burst per source
 * @param unauthorizedSlots       memory bound of the per-source limiter (slots, 16 bytes each)
 * @param legacyChannelRange      accept channel numbers 0x4000–0x7FFE (RFC 5766) instead of RFC 8656's 0x4000–0x4FFF,
 *                                for older clients such as coturn 4.6's tools; off by default
 * @param relayAddressV6          IPv6 address relay sockets bind to for allocations that ask for an IPv6 relay
 *                                (REQUESTED-ADDRESS-FAMILY IPv6), or null: such allocations get 440
 */
public record TurnSettings(
        String realm,
        long maxCredentialTtlSeconds,
        long nonceTtlSeconds,
        int defaultLifetimeSeconds,
        int maxLifetimeSeconds,
        InetAddress relayAddress,
        int relayPortMin,
        int relayPortMax,
        int maxAllocationsPerUser,
        int maxAllocations,
        int maxPermissions,
        int maxChannels,
        long bandwidthBytesPerSecond,
        long bandwidthBurstBytes,
        double unauthorizedPerSecond,
        double unauthorizedBurst,
        int unauthorizedSlots,
        boolean legacyChannelRange,
        InetAddress relayAddressV6) {

    public static final int PERMISSION_LIFETIME_SECONDS = 300;
    public static final int CHANNEL_LIFETIME_SECONDS = 600;

    public TurnSettings {
        if (realm == null || realm.isBlank()) throw new IllegalArgumentException("realm");
        if (!(relayAddress instanceof java.net.Inet4Address)) throw new IllegalArgumentException("relay address must be IPv4");
        if (relayAddressV6 != null && !(relayAddressV6 instanceof java.net.Inet6Address)) {
            throw new IllegalArgumentException("IPv6 relay address must be IPv6");
        }
    }

    /** Sensible production defaults for a relay on {@code relayAddress}. */
    public static TurnSettings defaults(InetAddress relayAddress) {
        return new TurnSettings("chorus", 660, 300, 600, 3600, relayAddress, 49152, 65535,
                10, 10_000, 64, 64, 2_000_000, 4_000_000, 5, 20, 65_536, false, null);
    }

    public TurnSettings withRelayPorts(int min, int max) {
        return new TurnSettings(realm, maxCredentialTtlSeconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, min, max, maxAllocationsPerUser, maxAllocations, maxPermissions, maxChannels,
                bandwidthBytesPerSecond, bandwidthBurstBytes, unauthorizedPerSecond, unauthorizedBurst, unauthorizedSlots, legacyChannelRange, relayAddressV6);
    }

    public TurnSettings withMaxCredentialTtlSeconds(long seconds) {
        return new TurnSettings(realm, seconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, relayPortMin, relayPortMax, maxAllocationsPerUser, maxAllocations, maxPermissions, maxChannels,
                bandwidthBytesPerSecond, bandwidthBurstBytes, unauthorizedPerSecond, unauthorizedBurst, unauthorizedSlots, legacyChannelRange, relayAddressV6);
    }

    public TurnSettings withQuotas(int perUser, int total, int permissions, long bytesPerSecond, long burstBytes) {
        return new TurnSettings(realm, maxCredentialTtlSeconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, relayPortMin, relayPortMax, perUser, total, permissions, maxChannels,
                bytesPerSecond, burstBytes, unauthorizedPerSecond, unauthorizedBurst, unauthorizedSlots, legacyChannelRange, relayAddressV6);
    }

    public TurnSettings withUnauthorizedLimit(double perSecond, double burst) {
        return new TurnSettings(realm, maxCredentialTtlSeconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, relayPortMin, relayPortMax, maxAllocationsPerUser, maxAllocations, maxPermissions, maxChannels,
                bandwidthBytesPerSecond, bandwidthBurstBytes, perSecond, burst, unauthorizedSlots, legacyChannelRange, relayAddressV6);
    }

    public TurnSettings withLegacyChannelRange(boolean legacy) {
        return new TurnSettings(realm, maxCredentialTtlSeconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, relayPortMin, relayPortMax, maxAllocationsPerUser, maxAllocations, maxPermissions, maxChannels,
                bandwidthBytesPerSecond, bandwidthBurstBytes, unauthorizedPerSecond, unauthorizedBurst, unauthorizedSlots, legacy, relayAddressV6);
    }

    /** Also relays IPv6 (REQUESTED-ADDRESS-FAMILY IPv6) from {@code v6}; null: IPv4 relays only. */
    public TurnSettings withRelayAddressV6(InetAddress v6) {
        return new TurnSettings(realm, maxCredentialTtlSeconds, nonceTtlSeconds, defaultLifetimeSeconds, maxLifetimeSeconds,
                relayAddress, relayPortMin, relayPortMax, maxAllocationsPerUser, maxAllocations, maxPermissions, maxChannels,
                bandwidthBytesPerSecond, bandwidthBurstBytes, unauthorizedPerSecond, unauthorizedBurst, unauthorizedSlots,
                legacyChannelRange, v6);
    }
}
