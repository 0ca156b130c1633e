package dev.chorus.turn.netty;

import dev.chorus.turn.core.TurnSettings;
import dev.chorus.common.net.AddressRange;
import dev.chorus.turn.policy.RelayPeerPolicy;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration of an embedded or standalone {@link TurnServer}. Keys of {@link #fromProperties} are documented in
 * docs/turn.md; the Chorus server maps its own configuration onto this record.
 *
 * @param bindAddress       address of the UDP/TCP/TLS listeners (0.0.0.0 for all)
 * @param port              UDP and TCP listener port (3478; 0 picks a free one)
 * @param tlsPort           TURNS (TLS over TCP) port (5349; -1 disables; 0 picks a free one)
 * @param tlsCertificate    PEM certificate chain for TLS, or null for a generated self-signed one
 * @param tlsPrivateKey     PEM PKCS#8 private key for TLS, or null
 * @param secrets           TURN REST shared secrets; the first one issues, all verify (rotation)
 * @param settings          protocol settings: realm, relay address and port range, lifetimes, quotas
 * @param allow             CIDRs opened despite the built-in special-purpose ranges (e.g. 127.0.0.0/8 in tests)
 * @param deny              CIDRs always refused
 * @param mediaAddresses    the SFU's own media addresses: always allowed, even inside special-purpose ranges (an SFU
 *                          on a private address); when not empty and {@code publicPeers} is false, the only peers
 * @param nativeTransport   use epoll when available (NIO otherwise)
 * @param maxStreamConnections concurrent TCP + TLS client connections; further ones are closed at once
 * @param publicPeers       also relay to any public address (what peer-to-peer calls need), not only to
 *                          {@code mediaAddresses}; always true when no media address is given
 * @param maxStreamConnectionsPerSource concurrent TCP + TLS connections from one source address (an IPv6 source is
 *                          its /64), so one source cannot fill {@code maxStreamConnections}
 * @param unauthenticatedTimeoutSeconds a TCP/TLS connection that has no allocation this long after it opened is
 *                          closed (however busy it keeps itself)
 */
public record TurnConfig(
        InetAddress bindAddress,
        int port,
        int tlsPort,
        Path tlsCertificate,
        Path tlsPrivateKey,
        List<String> secrets,
        TurnSettings settings,
        List<AddressRange> allow,
        List<AddressRange> deny,
        List<InetAddress> mediaAddresses,
        boolean nativeTransport,
        int maxStreamConnections,
        boolean publicPeers,
        int maxStreamConnectionsPerSource,
        int unauthenticatedTimeoutSeconds) {

    public static final int DEFAULT_PORT = 3478;
    public static final int DEFAULT_MAX_STREAM_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_STREAM_CONNECTIONS_PER_SOURCE = 16;
    public static final int DEFAULT_UNAUTHENTICATED_TIMEOUT_SECONDS = 10;

    /** Without a connection cap argument: {@link #DEFAULT_MAX_STREAM_CONNECTIONS}. */
    public TurnConfig(InetAddress bindAddress, int port, int tlsPort, Path tlsCertificate, Path tlsPrivateKey,
                      List<String> secrets, TurnSettings settings, List<AddressRange> allow, List<AddressRange> deny,
                      List<InetAddress> mediaAddresses, boolean nativeTransport) {
        this(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny, mediaAddresses,
                nativeTransport, DEFAULT_MAX_STREAM_CONNECTIONS, mediaAddresses.isEmpty(),
                DEFAULT_MAX_STREAM_CONNECTIONS_PER_SOURCE, DEFAULT_UNAUTHENTICATED_TIMEOUT_SECONDS);
    }
    public static final int DEFAULT_TLS_PORT = 5349;

    public TurnConfig {
        secrets = List.copyOf(secrets);
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        mediaAddresses = List.copyOf(mediaAddresses);
        if (secrets.isEmpty()) throw new IllegalArgumentException("turn.secrets: at least one secret");
        if (mediaAddresses.isEmpty()) publicPeers = true;  // no SFU to restrict to: a general-purpose relay
        if (maxStreamConnectionsPerSource < 1) throw new IllegalArgumentException("turn.max-connections-per-source: at least 1");
        if (unauthenticatedTimeoutSeconds < 1) throw new IllegalArgumentException("turn.unauthenticated-timeout: at least 1 s");
    }

    /** Defaults on {@code relayAddress}: ports 3478/5349, generated TLS certificate, strict peer policy. */
    public static TurnConfig defaults(InetAddress bindAddress, InetAddress relayAddress, List<String> secrets) {
        return new TurnConfig(bindAddress, DEFAULT_PORT, DEFAULT_TLS_PORT, null, null, secrets,
                TurnSettings.defaults(relayAddress), List.of(), List.of(), List.of(), true);
    }

    public TurnConfig withPorts(int port, int tlsPort) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withSettings(TurnSettings s) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, s, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withPolicy(List<AddressRange> allow, List<AddressRange> deny, List<InetAddress> mediaAddresses) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withMaxStreamConnections(int max) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, max, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    /** {@code publicPeers}: see the record; false restricts the relay to {@code mediaAddresses}. */
    public TurnConfig withPublicPeers(boolean publicPeers) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withStreamLimits(int perSource, int unauthenticatedTimeoutSeconds) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, perSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withTls(int tlsPort, Path certificate, Path privateKey) {
        return new TurnConfig(bindAddress, port, tlsPort, certificate, privateKey, secrets, settings, allow, deny,
                mediaAddresses, nativeTransport, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    public TurnConfig withNativeTransport(boolean useNative) {
        return new TurnConfig(bindAddress, port, tlsPort, tlsCertificate, tlsPrivateKey, secrets, settings, allow, deny,
                mediaAddresses, useNative, maxStreamConnections, publicPeers, maxStreamConnectionsPerSource,
                unauthenticatedTimeoutSeconds);
    }

    /**
     * The peer policy: own ports are the listener ports; own addresses are the bind and relay addresses, plus every
     * local interface address when bound to the wildcard.
     */
    public RelayPeerPolicy peerPolicy(Set<Integer> ownPorts) {
        List<byte[]> own = new ArrayList<>();
        own.add(settings.relayAddress().getAddress());
        own.add(bindAddress.getAddress());
        if (settings.relayAddressV6() != null) own.add(settings.relayAddressV6().getAddress());
        if (bindAddress.isAnyLocalAddress()) {
            try {
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) own.add(a.getAddress());
                }
            } catch (SocketException e) {
                // keep what we have: loopback and unspecified are refused on own ports anyway
            }
        }
        return new RelayPeerPolicy(allow, deny, mediaAddresses.stream().map(InetAddress::getAddress).toList(),
                !publicPeers, own, new HashSet<>(ownPorts));
    }

    /**
     * Reads {@code turn.*} keys (see docs/turn.md). Unknown keys are refused so that typos do not silently weaken
     * the policy.
     */
    public static TurnConfig fromProperties(Map<String, String> p) {
        Set<String> known = Set.of("turn.bind", "turn.port", "turn.tls-port", "turn.tls-cert", "turn.tls-key",
                "turn.secrets", "turn.realm", "turn.relay-address", "turn.relay-ports", "turn.max-credential-ttl",
                "turn.nonce-ttl", "turn.max-lifetime", "turn.quota.allocations-per-user", "turn.quota.allocations",
                "turn.quota.permissions", "turn.quota.channels", "turn.quota.bandwidth", "turn.quota.burst",
                "turn.unauthorized-rate", "turn.policy.allow", "turn.policy.deny", "turn.policy.media-addresses",
                "turn.native", "turn.legacy-channel-range", "turn.max-connections", "turn.relay-address-v6",
                "turn.max-connections-per-source", "turn.unauthenticated-timeout", "turn.policy.peers");
        for (String k : p.keySet()) if (!known.contains(k)) throw new IllegalArgumentException("unknown TURN setting " + k);
        InetAddress bind = ip(p.getOrDefault("turn.bind", "0.0.0.0"));
        InetAddress relay = ip(required(p, "turn.relay-address"));
        TurnSettings d = TurnSettings.defaults(relay);
        String[] range = p.getOrDefault("turn.relay-ports", d.relayPortMin() + "-" + d.relayPortMax()).split("-");
        if (range.length != 2) throw new IllegalArgumentException("turn.relay-ports: min-max");
        TurnSettings s = new TurnSettings(
                p.getOrDefault("turn.realm", d.realm()),
                longOf(p, "turn.max-credential-ttl", d.maxCredentialTtlSeconds()),
                longOf(p, "turn.nonce-ttl", d.nonceTtlSeconds()),
                d.defaultLifetimeSeconds(),
                (int) longOf(p, "turn.max-lifetime", d.maxLifetimeSeconds()),
                relay,
                Integer.parseInt(range[0].trim()), Integer.parseInt(range[1].trim()),
                (int) longOf(p, "turn.quota.allocations-per-user", d.maxAllocationsPerUser()),
                (int) longOf(p, "turn.quota.allocations", d.maxAllocations()),
                (int) longOf(p, "turn.quota.permissions", d.maxPermissions()),
                (int) longOf(p, "turn.quota.channels", d.maxChannels()),
                longOf(p, "turn.quota.bandwidth", d.bandwidthBytesPerSecond()),
                longOf(p, "turn.quota.burst", d.bandwidthBurstBytes()),
                Double.parseDouble(p.getOrDefault("turn.unauthorized-rate", String.valueOf(d.unauthorizedPerSecond()))),
                d.unauthorizedBurst(), d.unauthorizedSlots(),
                Boolean.parseBoolean(p.getOrDefault("turn.legacy-channel-range", "false")),
                p.containsKey("turn.relay-address-v6") ? ip(p.get("turn.relay-address-v6")) : null);
        return new TurnConfig(bind,
                (int) longOf(p, "turn.port", DEFAULT_PORT),
                (int) longOf(p, "turn.tls-port", DEFAULT_TLS_PORT),
                p.containsKey("turn.tls-cert") ? Path.of(p.get("turn.tls-cert")) : null,
                p.containsKey("turn.tls-key") ? Path.of(p.get("turn.tls-key")) : null,
                list(required(p, "turn.secrets")),
                s,
                list(p.getOrDefault("turn.policy.allow", "")).stream().map(AddressRange::parse).toList(),
                list(p.getOrDefault("turn.policy.deny", "")).stream().map(AddressRange::parse).toList(),
                list(p.getOrDefault("turn.policy.media-addresses", "")).stream().map(TurnConfig::ip).toList(),
                Boolean.parseBoolean(p.getOrDefault("turn.native", "true")),
                (int) longOf(p, "turn.max-connections", DEFAULT_MAX_STREAM_CONNECTIONS),
                peers(p.getOrDefault("turn.policy.peers", "media")),
                (int) longOf(p, "turn.max-connections-per-source", DEFAULT_MAX_STREAM_CONNECTIONS_PER_SOURCE),
                (int) longOf(p, "turn.unauthenticated-timeout", DEFAULT_UNAUTHENTICATED_TIMEOUT_SECONDS));
    }

    /** {@code media}: only the media addresses (when given); {@code public}: also any public address. */
    private static boolean peers(String v) {
        return switch (v.trim()) {
            case "media" -> false;
            case "public" -> true;
            default -> throw new IllegalArgumentException("turn.policy.peers: 'media' or 'public', not '" + v + "'");
        };
    }

    private static String required(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " is required");
        return v;
    }

    private static long longOf(Map<String, String> p, String key, long dflt) {
        String v = p.get(key);
        return v == null ? dflt : Long.parseLong(v.trim());
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static InetAddress ip(String literal) {
        String t = literal.trim();
        if (t.isEmpty() || !(t.indexOf(':') >= 0 || t.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    @Override
    public String toString() {  // secrets redacted
        return "TurnConfig[bind=" + bindAddress.getHostAddress() + ", port=" + port + ", tlsPort=" + tlsPort
                + ", secrets=" + secrets.size() + ", settings=" + settings + ", allow=" + allow + ", deny=" + deny
                + ", mediaAddresses=" + mediaAddresses + ", publicPeers=" + publicPeers + "]";
    }
}
