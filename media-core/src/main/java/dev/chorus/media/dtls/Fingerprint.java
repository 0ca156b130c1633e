package dev.chorus.media.dtls;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate fingerprint as carried in SDP {@code a=fingerprint:} (RFC 8122). Only {@code sha-256} is accepted:
 * one algorithm, chosen by us, not by the peer's SDP. Parsed once into bytes (canonical form) and compared in
 * constant time against the DER of the certificate the peer actually presented.
 */
public final class Fingerprint {
    public static final String SHA_256 = "sha-256";

    private final byte[] digest;

    private Fingerprint(byte[] digest) {
        this.digest = digest;
    }

    public static Fingerprint sha256Of(byte[] certificateDer) {
        return new Fingerprint(DtlsCertificate.sha256(certificateDer));
    }

    /**
     * Parses {@code sha-256 AB:CD:…} (the value of {@code a=fingerprint:}); hex is case-insensitive.
     *
     * @throws IllegalArgumentException for another hash function or malformed hex
     */
    public static Fingerprint parseSdp(String value) {
        if (value == null) throw new IllegalArgumentException("missing fingerprint");
        String trimmed = value.strip();
        int space = trimmed.indexOf(' ');
        if (space <= 0) throw new IllegalArgumentException("fingerprint needs '<hash> <hex>'");
        String algorithm = trimmed.substring(0, space).toLowerCase(Locale.ROOT);
        if (!SHA_256.equals(algorithm)) throw new IllegalArgumentException("unsupported fingerprint hash");
        String hex = trimmed.substring(space + 1).strip();
        if (hex.length() != 32 * 3 - 1) throw new IllegalArgumentException("sha-256 fingerprint must be 32 bytes");
        byte[] digest;
        try {
            digest = HexFormat.ofDelimiter(":").parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed fingerprint hex");
        }
        return new Fingerprint(digest);
    }

    /** Whether this fingerprint is the SHA-256 of {@code certificateDer} (constant-time comparison). */
    public boolean matches(byte[] certificateDer) {
        return MessageDigest.isEqual(digest, DtlsCertificate.sha256(certificateDer));
    }

    /** Upper-case colon-separated hex of the digest, as after the hash name in SDP. */
    public String hex() {
        return DtlsCertificate.colonHex(digest);
    }

    public String toSdp() {
        return SHA_256 + " " + DtlsCertificate.colonHex(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && MessageDigest.isEqual(digest, f.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return toSdp();
    }
}
