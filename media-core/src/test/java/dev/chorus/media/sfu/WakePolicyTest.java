package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 11: a worker receiving media polls within a bounded batch window instead of being unparked per packet; an
 * idle one waits for an unpark, so the first packet after silence is not delayed.
 */
class WakePolicyTest {
    private static final long MS = 1_000_000;
    private static final long TICK = 10 * MS;

    @Test
    void withoutAWindowEveryPacketUnparksAndTheWorkerSleepsUntilItsTick() {
        WakePolicy p = new WakePolicy(0);
        assertThat(p.afterDrain(5, TICK)).isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
        assertThat(p.afterDrain(0, 50_000)).as("never below the shortest park").isEqualTo(WakePolicy.MIN_PARK_NANOS);
    }

    @Test
    void anIdleWorkerIsUnparkedByTheFirstPacket() {
        WakePolicy p = new WakePolicy(MS);
        assertThat(p.afterDrain(0, TICK)).isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
    }

    @Test
    void aWorkerReceivingMediaParksAtMostTheWindowAndIsNotUnparkedPerPacket() {
        WakePolicy p = new WakePolicy(MS);
        assertThat(p.afterDrain(1, TICK)).as("the bound on any packet's wait").isEqualTo(MS);
        assertThat(p.unparkOnPacket()).isFalse();
        assertThat(p.afterDrain(2, 300_000)).as("the tick comes first").isEqualTo(300_000);
        assertThat(p.afterDrain(3, TICK)).isEqualTo(MS);
    }

    @Test
    void afterEnoughEmptyPollsTheWorkerStopsPollingAndPacketsUnparkItAgain() {
        WakePolicy p = new WakePolicy(MS);
        p.afterDrain(1, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) {
            assertThat(p.afterDrain(0, TICK)).as("empty poll %d still polls", i).isEqualTo(MS);
            assertThat(p.unparkOnPacket()).isFalse();
        }
        assertThat(p.afterDrain(0, TICK)).as("idle: sleeps until the tick").isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
        assertThat(p.afterDrain(1, TICK)).as("media again: polls again").isEqualTo(MS);
        assertThat(p.polling()).isTrue();
    }

    @Test
    void onePacketResetsTheCountOfEmptyPolls() {
        WakePolicy p = new WakePolicy(MS);
        p.afterDrain(1, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) p.afterDrain(0, TICK);
        p.afterDrain(1, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) p.afterDrain(0, TICK);
        assertThat(p.polling()).isTrue();
    }
}
