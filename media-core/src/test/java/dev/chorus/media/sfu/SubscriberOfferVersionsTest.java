package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sfu.SubscriberOfferVersions.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The rule that tells which subscriber offer an answer answers (docs/protocol.md, {@code subscriberAnswer}): the
 * outstanding offer's version is checked, an earlier one is stale and ignored, one never sent is refused, and an
 * answer without a version (an older client) answers whatever is outstanding.
 */
class SubscriberOfferVersionsTest {
    final SubscriberOfferVersions versions = new SubscriberOfferVersions();

    @Test
    void offersAreNumberedOneTwoThreeAndTheLatestIsOutstanding() {
        assertThat(versions.outstanding()).isZero();
        assertThat(versions.next()).isEqualTo(1);
        assertThat(versions.outstanding()).isEqualTo(1);
        versions.settle();
        assertThat(versions.next()).isEqualTo(2);
        assertThat(versions.next()).as("a withdrawn offer's successor").isEqualTo(3);
        assertThat(versions.outstanding()).isEqualTo(3);
        assertThat(versions.lastSent()).isEqualTo(3);
    }

    @Test
    void theAnswerToTheOutstandingOfferIsCurrent() {
        versions.next();
        versions.settle();
        long v = versions.next();
        assertThat(versions.judge(v)).isEqualTo(Verdict.CURRENT);
    }

    /** The race: offer 1 withdrawn (its transport closed) and offer 2 sent while the answer to 1 was on its way. */
    @Test
    void anAnswerToAWithdrawnOfferThatArrivesAfterTheNextOfferIsStale() {
        long first = versions.next();
        versions.settle(); // withdrawn: the subscribe transport closed
        long second = versions.next(); // sent at once
        assertThat(versions.judge(first)).isEqualTo(Verdict.STALE);
        assertThat(versions.outstanding()).as("the stale answer leaves the new offer outstanding").isEqualTo(second);
        assertThat(versions.judge(second)).isEqualTo(Verdict.CURRENT);
    }

    @Test
    void anAnswerToAnOfferAlreadyAnsweredOrWithdrawnWithoutASuccessorIsStale() {
        long v = versions.next();
        versions.settle(); // answered (or withdrawn with nothing to offer again)
        assertThat(versions.judge(v)).as("the same answer again, e.g. re-sent after a session resume")
                .isEqualTo(Verdict.STALE);
    }

    @Test
    void aVersionNeverSentIsRefusedAndLeavesTheOutstandingOfferAsItIs() {
        assertThat(versions.judge(1)).as("before any offer").isEqualTo(Verdict.NEVER_SENT);
        long v = versions.next();
        assertThat(versions.judge(v + 1)).as("a future version").isEqualTo(Verdict.NEVER_SENT);
        assertThat(versions.judge(Long.MAX_VALUE)).isEqualTo(Verdict.NEVER_SENT);
        assertThat(versions.judge(-1)).as("not positive").isEqualTo(Verdict.NEVER_SENT);
        assertThat(versions.outstanding()).isEqualTo(v);
        assertThat(versions.judge(v)).isEqualTo(Verdict.CURRENT);
    }

    @Test
    void anAnswerWithoutAVersionAnswersWhateverIsOutstandingAsBefore() {
        assertThat(versions.judge(Participant.CURRENT_OFFER)).as("no offer yet").isEqualTo(Verdict.NONE_OUTSTANDING);
        versions.next();
        versions.settle();
        versions.next();
        assertThat(versions.judge(Participant.CURRENT_OFFER)).isEqualTo(Verdict.CURRENT);
        versions.settle();
        assertThat(versions.judge(Participant.CURRENT_OFFER)).isEqualTo(Verdict.NONE_OUTSTANDING);
    }
}
