package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 11: a worker receiving packets closer together than a bounded batch window polls within that window
 * instead of being unparked per packet; a sparse or idle one waits for an unpark, so a lone packet is not delayed.
 */
class WakePolicyTest {
    private static final long MS = 1_000_000;
    private static final long TICK = 10 * MS;

    @Test
    void withoutAWindowEveryPacketUnparksAndTheWorkerSleepsUntilItsTick() {
        WakePolicy p = new WakePolicy(0);
        assertThat(p.afterDrain(5, 0, TICK)).isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
        assertThat(p.afterDrain(0, 0, 50_000)).as("never below the shortest park").isEqualTo(WakePolicy.MIN_PARK_NANOS);
    }

    @Test
    void anIdleWorkerIsUnparkedByTheFirstPacket() {
        WakePolicy p = new WakePolicy(MS);
        assertThat(p.afterDrain(0, 0, TICK)).isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
        assertThat(p.afterDrain(1, 5 * MS, TICK)).as("one packet says nothing about the rate yet").isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
    }

    @Test
    void packetsCloserThanTheWindowMakeTheWorkerPollAtMostTheWindow() {
        WakePolicy p = new WakePolicy(MS);
        p.afterDrain(1, 0, TICK);
        assertThat(p.afterDrain(1, MS / 2, TICK)).as("2,000 packets/s: the bound on any packet's wait").isEqualTo(MS);
        assertThat(p.unparkOnPacket()).isFalse();
        assertThat(p.afterDrain(2, 2 * MS, 300_000)).as("the tick comes first").isEqualTo(300_000);
        assertThat(p.afterDrain(3, 3 * MS, TICK)).isEqualTo(MS);
    }

    @Test
    void twoPacketsInOneWakeAreEnoughToPoll() {
        WakePolicy p = new WakePolicy(MS);
        assertThat(p.afterDrain(2, 0, TICK)).isEqualTo(MS);
        assertThat(p.polling()).isTrue();
    }

    @Test
    void aSparseStreamKeepsOneUnparkPerPacket() {
        WakePolicy p = new WakePolicy(MS);
        for (int i = 0; i < 10; i++) { // audio: a packet every 20 ms
            assertThat(p.afterDrain(1, i * 20 * MS, TICK)).isEqualTo(TICK);
            assertThat(p.unparkOnPacket()).isTrue();
        }
    }

    @Test
    void afterEnoughEmptyPollsTheWorkerStopsPollingAndPacketsUnparkItAgain() {
        WakePolicy p = new WakePolicy(MS);
        p.afterDrain(2, 0, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) {
            assertThat(p.afterDrain(0, 0, TICK)).as("empty poll %d still polls", i).isEqualTo(MS);
            assertThat(p.unparkOnPacket()).isFalse();
        }
        assertThat(p.afterDrain(0, 0, TICK)).as("idle: sleeps until the tick").isEqualTo(TICK);
        assertThat(p.unparkOnPacket()).isTrue();
        assertThat(p.afterDrain(2, 30 * MS, TICK)).as("a burst again: polls again").isEqualTo(MS);
        assertThat(p.polling()).isTrue();
    }

    @Test
    void aPacketResetsTheCountOfEmptyPolls() {
        WakePolicy p = new WakePolicy(MS);
        p.afterDrain(2, 0, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) p.afterDrain(0, 0, TICK);
        p.afterDrain(1, MS, TICK);
        for (int i = 1; i < WakePolicy.IDLE_POLLS; i++) p.afterDrain(0, 0, TICK);
        assertThat(p.polling()).isTrue();
    }
}
