package dev.chorus.media.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the next probe may start: failures back off, a success ends the back-off unless a cut refutes it soon after. */
class ProbeBackoffTest {
    static final long S = 1_000_000_000L;
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
        backoff.onSuccess(310_000, 5, 10 * S);
        assertThat(backoff.waitFor(310_000)).isEqualTo(2 * S);
        backoff.onTick(5, 10 * S + ProbeBackoff.REFUTE_NANOS);
        backoff.onTick(6, 14 * S); // a cut long after: says nothing about the probe
        assertThat(backoff.waitFor(310_000)).isEqualTo(2 * S);
        assertThat(backoff.refuted()).isZero();
    }

    /**
     * A 300 kbit/s probe through a 2,000-byte token bucket "proved" 310 k on a 250 k link; the cut that followed the
     * up-switch shows it was not so: the success counts as a failure from the back-off it had ended.
     */
    @Test
    void aCutSoonAfterASuccessRefutesItAndTheBackoffGrowsFromWhereItWas() {
        backoff.onFailure(300_000); // 4 s
        backoff.onSuccess(300_000, 5, 10 * S);
        assertThat(backoff.waitFor(300_000)).isEqualTo(2 * S);
        backoff.onTick(5, 11 * S);
        backoff.onTick(6, 12 * S); // the over-use of the overflowing link
        assertThat(backoff.refuted()).isEqualTo(1);
        assertThat(backoff.waitFor(300_000)).isEqualTo(8 * S);
        assertThat(backoff.waitFor(200_000)).isEqualTo(2 * S);
    }

    @Test
    void aNewWishStartsAfresh() {
        backoff.onFailure(300_000);
        backoff.onSuccess(300_000, 0, 0);
        backoff.reset();
        backoff.onTick(1, S); // nothing pending any more
        assertThat(backoff.refuted()).isZero();
        assertThat(backoff.waitFor(300_000)).isEqualTo(2 * S);
    }
}
