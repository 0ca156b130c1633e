package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sfu.ForwardingHarness.Layout;
import dev.chorus.media.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness forwards what each layout promises, without drops, across restarts of its packet ring (so
 * the benchmark's paired layouts forward the same number of packets per operation).
 */
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
        assertThat(h.currentLayers()).containsExactly(2, 2, 2);
    }

    @Test
    void aMixOfLayersSendsEachSubscriberOnlyItsLayerAsManyPacketsAsTheSingleStreamReference() {
        ForwardingHarness mix = new ForwardingHarness(6, 500, 96, SrtpProfile.AEAD_AES_128_GCM, Layout.SIMULCAST_MIX);
        ForwardingHarness single = new ForwardingHarness(6, 500, 96, SrtpProfile.AEAD_AES_128_GCM,
                Layout.SINGLE_PER_LAYER);
        for (int i = 0; i < 300; i++) {
            mix.forwardNext();
            single.forwardNext();
        }
        assertThat(mix.drops()).isZero();
        assertThat(single.drops()).isZero();
        assertThat(mix.currentLayers()).containsExactly(0, 1, 2, 0, 1, 2);
        // 300 published packets, 100 per layer (or track), each to the two subscribers of its layer.
        assertThat(mix.packetsSentPerSubscriber()).containsOnly(100L);
        assertThat(single.packetsSentPerSubscriber()).containsExactly(mix.packetsSentPerSubscriber());
    }
}
