package dev.chorus.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Protect/unprotect with real jitsi-srtp contexts, both directions, and the replay/auth checks 37 and 38. */
class SrtpRoundTripTest {

    static SrtpKeys keys(SrtpProfile profile, long seed) {
        byte[] material = new byte[profile.keyingMaterialLength()];
        new Random(seed).nextBytes(material);
        return SrtpKeys.fromKeyingMaterial(profile, material);
    }

    static byte[] rtp(int seq, int ssrc, int payloadLength, int room) {
        byte[] p = new byte[12 + payloadLength + room];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = 0; p[5] = 0; p[6] = 0x10; p[7] = (byte) seq;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        for (int i = 0; i < payloadLength; i++) p[12 + i] = (byte) (i * 7 + seq);
        return p;
    }

    static byte[] rtcpReceiverReport(int ssrc, int room) {
        byte[] p = new byte[8 + room];
        p[0] = (byte) 0x80; p[1] = (byte) 201; p[2] = 0; p[3] = 1;
        p[4] = (byte) (ssrc >> 24); p[5] = (byte) (ssrc >> 16); p[6] = (byte) (ssrc >> 8); p[7] = (byte) ssrc;
        return p;
    }

    /**
     * The default provider is jitsi-srtp's OpenSSL glue over the system libcrypto (64 B per GCM protect instead of
     * SunJCE's ~1 KB, docs/benchmarks.md); without libcrypto.so.3 the server falls back to SunJCE, which CI must not
     * do silently.
     */
    @Test
    void usesOpenSslWhenLibcryptoIsInstalled() {
        boolean libcrypto = java.nio.file.Files.exists(java.nio.file.Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || java.nio.file.Files.exists(java.nio.file.Path.of("/lib/x86_64-linux-gnu/libcrypto.so.3"));
        dev.chorus.common.testing.RequiredTool.require(libcrypto, "libcrypto.so.3 (Debian package libssl3)");
        assertThat(SrtpEncryptor.cryptoProvider()).isEqualTo("OpenSSL");
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpAndRtcpRoundTripBothWays(SrtpProfile profile) {
        SrtpKeys keys = keys(profile, 1);
        SrtpStats clientStats = new SrtpStats();
        SrtpStats serverStats = new SrtpStats();
        try (SrtpEncryptor clientOut = SrtpEncryptor.forClient(keys, 8, clientStats);
             SrtpDecryptor serverIn = SrtpDecryptor.forServer(keys, 8, serverStats);
             SrtpEncryptor serverOut = SrtpEncryptor.forServer(keys, 8, serverStats);
             SrtpDecryptor clientIn = SrtpDecryptor.forClient(keys, 8, clientStats)) {
            PacketBuffer view = new PacketBuffer();
            for (int seq = 1; seq <= 50; seq++) {
                byte[] packet = rtp(seq, 0x1234, 1000, SrtpEncryptor.MAX_OVERHEAD);
                byte[] plain = Arrays.copyOf(packet, 1012);
                view.wrap(packet, 0, 1012);
                assertThat(clientOut.protectRtp(view)).isEqualTo(SrtpResult.OK);
                assertThat(view.getLength()).isEqualTo(1012 + profile.tagLength());
                assertThat(view.getBuffer()).isSameAs(packet); // no reallocation: room was left
                assertThat(Arrays.copyOfRange(packet, 12, 1012)).isNotEqualTo(Arrays.copyOfRange(plain, 12, 1012));

                assertThat(serverIn.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
                assertThat(Arrays.copyOfRange(packet, 0, view.getLength())).isEqualTo(plain);

                // ...and back with the server's keys.
                assertThat(serverOut.protectRtp(view)).isEqualTo(SrtpResult.OK);
                assertThat(clientIn.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
                assertThat(Arrays.copyOfRange(packet, 0, view.getLength())).isEqualTo(plain);
            }
            byte[] rtcp = rtcpReceiverReport(0x5678, SrtpEncryptor.MAX_OVERHEAD);
            view.wrap(rtcp, 0, 8);
            assertThat(clientOut.protectRtcp(view)).isEqualTo(SrtpResult.OK);
            assertThat(view.getLength()).isEqualTo(8 + 4 + profile.tagLength());
            assertThat(serverIn.unprotectRtcp(view)).isEqualTo(SrtpResult.OK);
            assertThat(view.getLength()).isEqualTo(8);
            assertThat(rtcp[1] & 0xff).isEqualTo(201);
        }
        assertThat(serverStats.rtpUnprotected).isEqualTo(50);
        assertThat(serverStats.rtcpUnprotected).isEqualTo(1);
        assertThat(serverStats.authFailures).isZero();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void badAuthTagIsDroppedAndCountedThenStreamContinues(SrtpProfile profile) { // checklist 37
        SrtpKeys keys = keys(profile, 2);
        SrtpStats stats = new SrtpStats();
        try (SrtpEncryptor out = SrtpEncryptor.forClient(keys, 8, new SrtpStats());
             SrtpDecryptor in = SrtpDecryptor.forServer(keys, 8, stats)) {
            PacketBuffer view = new PacketBuffer();
            byte[] first = rtp(1, 7, 200, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtp(view.wrap(first, 0, 212));
            assertThat(in.unprotectRtp(view)).isEqualTo(SrtpResult.OK);

            byte[] tampered = rtp(2, 7, 200, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtp(view.wrap(tampered, 0, 212));
            int len = view.getLength();
            tampered[len - 1] ^= 0x01; // flip one bit of the tag
            assertThat(in.unprotectRtp(view.wrap(tampered, 0, len))).isEqualTo(SrtpResult.AUTH_FAILED);

            byte[] flippedPayload = rtp(3, 7, 200, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtp(view.wrap(flippedPayload, 0, 212));
            len = view.getLength();
            flippedPayload[100] ^= 0x40; // flip a ciphertext bit
            assertThat(in.unprotectRtp(view.wrap(flippedPayload, 0, len))).isEqualTo(SrtpResult.AUTH_FAILED);

            byte[] next = rtp(4, 7, 200, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtp(view.wrap(next, 0, 212));
            assertThat(in.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
        }
        assertThat(stats.authFailures).isEqualTo(2);
        assertThat(stats.rtpUnprotected).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void replayedPacketsAreDropped(SrtpProfile profile) { // checklist 38
        SrtpKeys keys = keys(profile, 3);
        SrtpStats stats = new SrtpStats();
        try (SrtpEncryptor out = SrtpEncryptor.forClient(keys, 8, new SrtpStats());
             SrtpDecryptor in = SrtpDecryptor.forServer(keys, 8, stats)) {
            PacketBuffer view = new PacketBuffer();
            byte[] packet = rtp(10, 9, 100, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtp(view.wrap(packet, 0, 112));
            byte[] copy = Arrays.copyOf(packet, packet.length);
            int len = view.getLength();
            assertThat(in.unprotectRtp(view)).isEqualTo(SrtpResult.OK);
            assertThat(in.unprotectRtp(view.wrap(copy, 0, len))).isEqualTo(SrtpResult.REPLAYED);

            // SRTCP replay too.
            byte[] rtcp = rtcpReceiverReport(9, SrtpEncryptor.MAX_OVERHEAD);
            out.protectRtcp(view.wrap(rtcp, 0, 8));
            int rlen = view.getLength();
            byte[] rcopy = Arrays.copyOf(rtcp, rtcp.length);
            assertThat(in.unprotectRtcp(view)).isEqualTo(SrtpResult.OK);
            assertThat(in.unprotectRtcp(view.wrap(rcopy, 0, rlen))).isEqualTo(SrtpResult.REPLAYED);
        }
        assertThat(stats.replays).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void garbageLeavesNoContextsAndNeverThrows(SrtpProfile profile) {
        SrtpStats stats = new SrtpStats();
        Random random = new Random(4);
        try (SrtpDecryptor in = SrtpDecryptor.forServer(keys(profile, 4), 4, stats)) {
            PacketBuffer view = new PacketBuffer();
            for (int i = 0; i < 500; i++) {
                byte[] junk = new byte[random.nextInt(80)];
                random.nextBytes(junk);
                if (junk.length > 0) junk[0] = (byte) (0x80 | (junk[0] & 0x3f));
                assertThat(in.unprotectRtp(view.wrap(junk, 0, junk.length))).isNotEqualTo(SrtpResult.OK);
                assertThat(in.unprotectRtcp(view.wrap(junk, 0, junk.length))).isNotEqualTo(SrtpResult.OK);
            }
            assertThat(in.rtpStreams()).isZero();
        }
        assertThat(stats.rtpUnprotected + stats.rtcpUnprotected).isZero();
    }
}
