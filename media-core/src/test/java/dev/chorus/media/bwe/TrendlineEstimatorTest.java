package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The delay-based detector: steady delay is normal, growing delay is over-use, shrinking delay is under-use. */
class TrendlineEstimatorTest {
    private final TrendlineEstimator trendline = new TrendlineEstimator();

    /** Sends a packet every 10 ms for {@code n} packets; each arrives {@code extraMicros} later than the previous. */
    private BandwidthUsage feed(long[] clock, int n, long extraMicros) {
        BandwidthUsage last = BandwidthUsage.NORMAL;
        for (int i = 0; i < n; i++) {
            clock[0] += 10_000;
            clock[1] += 10_000 + extraMicros;
            last = trendline.onPacket(clock[0], clock[1]);
        }
        return last;
    }

    @Test
    void steadyDelayIsNormal() {
        long[] clock = {0, 50_000};
        assertThat(feed(clock, 200, 0)).isEqualTo(BandwidthUsage.NORMAL);
        assertThat(trendline.trend()).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void growingDelayIsOverUseAndDrainingQueuesAreUnderUse() {
        long[] clock = {0, 50_000};
        feed(clock, 50, 0);
        assertThat(feed(clock, 40, 2_000)).isEqualTo(BandwidthUsage.OVERUSING);
        assertThat(trendline.trend()).isPositive();
        assertThat(feed(clock, 40, -2_000)).isEqualTo(BandwidthUsage.UNDERUSING);
    }

    @Test
    void jitterWithoutATrendIsNotOverUse() {
        long[] clock = {0, 50_000};
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        int overuse = 0;
        for (int i = 0; i < 500; i++) {
            clock[0] += 10_000;
            long jitter = r.nextLong(-3_000, 3_000);
            if (trendline.onPacket(clock[0], clock[1] + 10_000 * (i + 1) + jitter) == BandwidthUsage.OVERUSING) {
                overuse++;
            }
        }
        assertThat(overuse).isLessThan(10);
    }

    @Test
    void packetsOfOneBurstCountAsOneGroup() {
        // 5 packets sent within 5 ms arriving spread out do not alone make a trend.
        long send = 0;
        long arrival = 10_000;
        for (int g = 0; g < 100; g++) {
            for (int k = 0; k < 5; k++) trendline.onPacket(send + k * 1_000, arrival + k * 2_000);
            send += 20_000;
            arrival += 20_000;
        }
        assertThat(trendline.state()).isEqualTo(BandwidthUsage.NORMAL);
    }
}
