package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When the next probe may start: failures back off; a success ends the back-off unless a cut soon after refutes it,
 * which it does only if the link did not meanwhile deliver more than it had shown.
 */
class ProbeBackoffTest {
    static final long S = 1_000_000_000L;
    static final long UNKNOWN = Long.MAX_VALUE;
    final ProbeBackoff backoff = new ProbeBackoff();

    @Test
    void failuresDoubleTheWaitAtAndAboveTheFailedRateUpToEightSeconds() {
        backoff.onFailure(300_000);
        assertThat(backoff.waitFor(300_000)).isEqualTo(4 * S);
        assertThat(backoff.waitFor(280_000)).as("within 90 % of the failed rate").isEqualTo(4 * S);
        assertThat(backoff.waitFor(200_000)).as("well below it: no back-off").isEqualTo(2 * S);
        backoff.onFailure(300_000);
        backoff.onFailure(300_000);
        backoff.onFailure(300_000);
        assertThat(backoff.waitFor(300_000)).isEqualTo(ProbeBackoff.MAX_INTERVAL_NANOS);
    }

    @Test
    void aSuccessThatStandsEndsTheBackoff() {
        backoff.onFailure(300_000);
        backoff.onFailure(300_000);
        backoff.onSuccess(310_000, 5, UNKNOWN, 10 * S);
        assertThat(backoff.waitFor(310_000)).isEqualTo(2 * S);
        backoff.onTick(5, 200_000, 10 * S + ProbeBackoff.REFUTE_NANOS);
        backoff.onTick(6, 200_000, 14 * S); // a cut long after: says nothing about the probe
        assertThat(backoff.waitFor(310_000)).isEqualTo(2 * S);
        assertThat(backoff.refuted()).isZero();
    }

    /**
     * A 300 kbit/s probe through a 2,000-byte token bucket "proved" 310 k on a 250 k link; the cut that followed the
     * up-switch, with the link never delivering more than its 250 k, shows it was not so: at the end of the window the
     * success counts as a failure from the back-off it had ended. Until then no probe starts.
     */
    @Test
    void aCutSoonAfterASuccessWithoutMoreDeliveredRefutesItAndTheBackoffGrowsFromWhereItWas() {
        backoff.onFailure(300_000); // 4 s
        backoff.onSuccess(300_000, 5, 280_000, 10 * S); // the capacity's bound: 280 k
        assertThat(backoff.waitFor(300_000)).isEqualTo(2 * S);
        backoff.onTick(5, 240_000, 11 * S);
        backoff.onTick(6, 250_000, 12 * S); // the over-use of the overflowing link
        assertThat(backoff.waitFor(200_000)).as("the verdict comes first").isEqualTo(Long.MAX_VALUE);
        backoff.onTick(6, 250_000, 13 * S);
        assertThat(backoff.refuted()).isEqualTo(1);
        assertThat(backoff.waitFor(300_000)).isEqualTo(8 * S);
        assertThat(backoff.waitFor(200_000)).isEqualTo(2 * S);
    }

    /**
     * The 800 kbit/s link: a probe proved 596 k, the up-switch's key frame queued and cut the estimate while the
     * acknowledged rate (a 500 ms window) still read 294 k, then the higher layer arrived at 429 k and more, past the
     * 271 k capacity's bound: the link carries more than it had shown, the success stands.
     */
    @Test
    void aCutFollowedByMoreDeliveredThanTheLinkHadShownLeavesTheSuccessStanding() {
        backoff.onFailure(600_000);
        backoff.onSuccess(596_000, 5, 320_000, 10 * S);
        backoff.onTick(6, 294_000, 10 * S + S / 4); // the key frame's over-use
        backoff.onTick(6, 429_000, 10 * S + S / 2);
        backoff.onTick(6, 506_000, 14 * S);
        assertThat(backoff.refuted()).isZero();
        assertThat(backoff.waitFor(600_000)).isEqualTo(2 * S);
    }

    @Test
    void aNewWishStartsAfresh() {
        backoff.onFailure(300_000);
        backoff.onSuccess(300_000, 0, UNKNOWN, 0);
        backoff.onTick(1, 200_000, S / 2);
        backoff.reset();
        backoff.onTick(1, 200_000, 4 * S); // nothing pending any more
        assertThat(backoff.refuted()).isZero();
        assertThat(backoff.waitFor(300_000)).isEqualTo(2 * S);
    }
}
