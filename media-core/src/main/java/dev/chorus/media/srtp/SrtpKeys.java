package dev.chorus.media.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * SRTP master keys and salts of one DTLS-SRTP association (RFC 5764 §4.2), split from the exporter output
 * {@code client key | server key | client salt | server salt}. Holds secrets: never logged ({@link #toString()}
 * prints the profile only).
 */
public final class SrtpKeys {
    private final SrtpProfile profile;
    private final byte[] clientKey;
    private final byte[] serverKey;
    private final byte[] clientSalt;
    private final byte[] serverSalt;

    private SrtpKeys(SrtpProfile profile, byte[] clientKey, byte[] serverKey, byte[] clientSalt, byte[] serverSalt) {
        this.profile = profile;
        this.clientKey = clientKey;
        this.serverKey = serverKey;
        this.clientSalt = clientSalt;
        this.serverSalt = serverSalt;
    }

    /** Splits DTLS exporter output ({@code EXTRACTOR-dtls_srtp}) of exactly {@link SrtpProfile#keyingMaterialLength()} bytes. */
    public static SrtpKeys fromKeyingMaterial(SrtpProfile profile, byte[] material) {
        Objects.requireNonNull(profile, "profile");
        if (material.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException("keying material must be " + profile.keyingMaterialLength() + " bytes");
        }
        int k = profile.keyLength();
        int s = profile.saltLength();
        return new SrtpKeys(profile,
                Arrays.copyOfRange(material, 0, k),
                Arrays.copyOfRange(material, k, 2 * k),
                Arrays.copyOfRange(material, 2 * k, 2 * k + s),
                Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s));
    }

    public SrtpProfile profile() { return profile; }

    /** Key and salt the DTLS client protects with (the server unprotects with them). */
    byte[] clientKey() { return clientKey; }
    byte[] clientSalt() { return clientSalt; }
    /** Key and salt the DTLS server protects with. */
    byte[] serverKey() { return serverKey; }
    byte[] serverSalt() { return serverSalt; }

    /** Overwrites the key material (call when the transport closes; contexts hold their own derived keys). */
    public void destroy() {
        Arrays.fill(clientKey, (byte) 0);
        Arrays.fill(serverKey, (byte) 0);
        Arrays.fill(clientSalt, (byte) 0);
        Arrays.fill(serverSalt, (byte) 0);
    }

    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }
}
