package dev.chorus.signaling.project;

/**
 * A key just created. The one-time material is returned exactly once and never stored by Chorus in this form:
 * {@code secret} for HS256 (the API key secret, also the HMAC key), {@code privateKeyPem} (PKCS#8) for an ES256 or
 * EdDSA pair Chorus generated. Both are null when the caller supplied its own public key.
 * {@link #toString()} never prints them.
 */
public record CreatedKey(KeyInfo key, String secret, String privateKeyPem) {
    @Override
    public String toString() {
        return "CreatedKey[" + key + ", secret=" + (secret == null ? "none" : "<redacted>") + ", privateKey="
                + (privateKeyPem == null ? "none" : "<redacted>") + "]";
    }
}
