package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 11: where a published packet's latency goes inside the server. The worker measures, with the SFU clock and
 * without allocating, the time from the UDP event loop's hand-over to its own pick-up (its wake-up) and to the flush of
 * everything it sent for the packet.
 */
class WorkerDelayTest {
    private long now;

    @Test
    void bucketsAreCumulativeAndBoundedAbove() {
        DelayHistogram h = new DelayHistogram();
        h.record(-5);            // clock read on another thread a little earlier: counts as no delay
        h.record(50_000);        // exactly 50 µs: within the first bound
        h.record(50_001);
        h.record(3_000_000);     // 3 ms
        h.record(10_000_000_000L);
        assertThat(h.cumulativeCount(0)).isEqualTo(2);
        assertThat(h.cumulativeCount(1)).isEqualTo(3);
        assertThat(h.cumulativeCount(bucket(2_500))).as("within 2.5 ms").isEqualTo(3);
        assertThat(h.cumulativeCount(bucket(3_000))).as("within 3 ms: the bound is inclusive").isEqualTo(4);
        assertThat(h.cumulativeCount(bucket(100_000))).as("within 100 ms").isEqualTo(4);
        assertThat(h.cumulativeCount(DelayHistogram.buckets() - 1)).as("+Inf holds all").isEqualTo(5);
        assertThat(DelayHistogram.le(0)).isEqualTo("5.0E-5");
        assertThat(DelayHistogram.le(DelayHistogram.buckets() - 1)).isEqualTo("+Inf");
    }

    @Test
    void bucketsAreFineEnoughToReadAP99BetweenOneAndTenMilliseconds() {
        long[] b = DelayHistogram.BOUNDS_MICROS;
        for (int i = 1; i < b.length; i++) {
            assertThat(b[i]).as("ascending").isGreaterThan(b[i - 1]);
            if (b[i] > 1_000 && b[i] <= 10_000) assertThat(b[i] - b[i - 1]).as("step below " + b[i] + " µs").isLessThanOrEqualTo(1_000);
        }
        DelayHistogram h = new DelayHistogram();
        h.record(4_200_000);
        assertThat(h.cumulativeCount(bucket(4_000))).isZero();
        assertThat(h.cumulativeCount(bucket(4_500))).as("4.2 ms reads as at most 4.5 ms").isEqualTo(1);
    }

    @Test
    void measuresHandOverToPickUpAndHandOverToFlushPerPublishedPacket() {
        int[] flushes = {0};
        Worker worker = new Worker(0, SfuConfig.defaults().withWorkers(1), () -> now, () -> flushes[0]++);
        Endpoint source = new Endpoint(worker, null, TransportRole.PUBLISH);
        source.closed = true; // the packets are dropped (counted as closed): only their timing matters here
        byte[] datagram = new byte[100];
        datagram[0] = (byte) 0x80;

        now = 1_000_000;
        worker.ring.offer(source, datagram, 0, 100, now);        // the event loop's hand-over at t = 1 ms
        now += 300_000;
        worker.ring.offer(source, datagram, 0, 100, now);        // another one 300 µs later
        now += 100_000;                                          // the worker wakes at t = 1.4 ms
        assertThat(worker.drain(256)).isEqualTo(2);
        now += 1_800_000;                                        // sends done at t = 3.2 ms
        worker.sentSomething = true;
        worker.flushIfNeeded();

        assertThat(flushes[0]).isEqualTo(1);
        int b100 = bucket(100), b250 = bucket(250), b500 = bucket(500), b1ms = bucket(1_000), b2ms = bucket(2_000);
        assertThat(worker.queueDelay.cumulativeCount(b100)).as("100 µs: the second packet").isEqualTo(1);
        assertThat(worker.queueDelay.cumulativeCount(b250)).isEqualTo(1);
        assertThat(worker.queueDelay.cumulativeCount(b500)).as("400 µs: the first one").isEqualTo(2);
        assertThat(worker.residence.cumulativeCount(b1ms)).isZero();
        assertThat(worker.residence.cumulativeCount(b2ms)).as("1.9 ms: the second packet").isEqualTo(1);
        assertThat(worker.residence.cumulativeCount(bucket(5_000))).as("2.2 ms and 1.9 ms").isEqualTo(2);

        // A flush with nothing drained since records nothing more.
        worker.flushIfNeeded();
        assertThat(worker.residence.cumulativeCount(DelayHistogram.buckets() - 1)).isEqualTo(2);
    }

    private static int bucket(long micros) {
        return java.util.Arrays.binarySearch(DelayHistogram.BOUNDS_MICROS, micros);
    }
}
