package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;

/** The benchmark harness forwards every packet to every subscriber, across a restart of its packet ring. */
class ForwardingHarnessTest {
    @Test
    void forwardsEachPacketToEverySubscriberWithoutDrops() {
        ForwardingHarness h = new ForwardingHarness(3, 500, 64, SrtpProfile.AEAD_AES_128_GCM);
        for (int i = 0; i < 200; i++) h.forwardNext();
        assertThat(h.drops()).isZero();
        assertThat(h.packetsSent()).isEqualTo(600);
    }

    @Test
    void theSimulcastRingIsForwardedWholeTooThroughTheLayerSelector() {
        ForwardingHarness h = new ForwardingHarness(3, 500, 64, SrtpProfile.AEAD_AES_128_GCM, true);
        for (int i = 0; i < 200; i++) h.forwardNext();
        assertThat(h.drops()).isZero();
        assertThat(h.packetsSent()).isEqualTo(600);
    }
}
