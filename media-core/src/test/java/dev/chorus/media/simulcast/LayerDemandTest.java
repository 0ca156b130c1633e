package dev.chorus.media.simulcast;

import static dev.chorus.media.simulcast.LayerSelector.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Dynacast: layers nobody receives are paused at the publisher after a delay, and resumed at once. */
class LayerDemandTest {
    static final long S = 1_000_000_000L;

    @Test
    void theTopLayerPausesWhenNobodyReceivesItAndResumesAtOnce() {
        LayerDemand demand = new LayerDemand(3);
        demand.onTargetChanged(NONE, 2);
        demand.onTargetChanged(NONE, 0);
        assertThat(demand.poll(0)).isEqualTo(0b111);
        assertThat(demand.poll(S)).isEqualTo(-1);
        demand.onTargetChanged(2, 0); // the big viewer shrinks to a thumbnail
        assertThat(demand.poll(2 * S)).as("not yet: may come back").isEqualTo(-1);
        assertThat(demand.poll(2 * S + LayerDemand.PAUSE_DELAY_NANOS)).isEqualTo(0b001);
        assertThat(demand.published()).isEqualTo(0b001);
        demand.onTargetChanged(0, 2);
        assertThat(demand.poll(20 * S)).as("resume without delay").isEqualTo(0b111);
    }

    @Test
    void aShortDipDoesNotPause() {
        LayerDemand demand = new LayerDemand(3);
        demand.onTargetChanged(NONE, 2);
        demand.poll(0);
        demand.onTargetChanged(2, 1);
        assertThat(demand.poll(S)).isEqualTo(-1);
        demand.onTargetChanged(1, 2);
        assertThat(demand.poll(10 * S)).isEqualTo(-1);
        assertThat(demand.published()).isEqualTo(0b111);
    }

    @Test
    void withoutSubscribersEveryLayerPauses() {
        LayerDemand demand = new LayerDemand(2);
        demand.onTargetChanged(NONE, 1);
        demand.poll(0);
        demand.onTargetChanged(1, NONE);
        assertThat(demand.needed()).isZero();
        assertThat(demand.poll(S)).as("the delay starts when the demand is first seen gone").isEqualTo(-1);
        assertThat(demand.poll(S + LayerDemand.PAUSE_DELAY_NANOS)).isZero();
        demand.onTargetChanged(NONE, 0);
        assertThat(demand.poll(S + LayerDemand.PAUSE_DELAY_NANOS + 1)).isEqualTo(0b01);
    }
}
