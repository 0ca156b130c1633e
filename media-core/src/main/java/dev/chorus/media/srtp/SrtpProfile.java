package dev.chorus.media.srtp;

import org.jitsi.srtp.SrtpPolicy;

/**
 * The SRTP protection profiles Chorus negotiates in DTLS {@code use_srtp} (RFC 5764, RFC 7714), in order of
 * preference. Anything else is refused: one profile list, chosen by the server.
 */
public enum SrtpProfile {
    /** RFC 7714: AES-128-GCM, 12-byte salt, 16-byte tag. Cheaper per packet than CM+HMAC and authenticated encryption. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16),
    /** RFC 5764: AES-128-CM with an 80-bit HMAC-SHA1 tag; every WebRTC browser supports it. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10);

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int tagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int tagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    /** The IANA id used in the DTLS {@code use_srtp} extension ({@code SRTPProtectionProfile}). */
    public int id() { return id; }
    public int keyLength() { return keyLength; }
    public int saltLength() { return saltLength; }
    /** Bytes the protected packet grows by (SRTCP adds 4 more for the index). */
    public int tagLength() { return tagLength; }

    /** Bytes of DTLS keying material needed: client key, server key, client salt, server salt. */
    public int keyingMaterialLength() { return 2 * (keyLength + saltLength); }

    /** Profiles in the server's order of preference. */
    public static final SrtpProfile[] PREFERENCE = {AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80};

    /** @return the profile with that IANA id, or {@code null} if Chorus does not accept it. */
    public static SrtpProfile byId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) return p;
        }
        return null;
    }

    /** A fresh jitsi-srtp policy (policies are mutable, so never share one). */
    public SrtpPolicy policy() {
        SrtpPolicy policy = switch (this) {
            case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
                    SrtpPolicy.NULL_AUTHENTICATION, 0, tagLength, saltLength);
            case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
                    SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, tagLength, saltLength);
        };
        policy.setReceiveReplayEnabled(true);
        return policy;
    }
}
