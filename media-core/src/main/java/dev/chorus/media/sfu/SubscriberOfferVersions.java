package dev.chorus.media.sfu;

/**
 * Which subscriber offer a client's answer answers, sans-IO (owned by {@link SubscribeSide} on the room's worker).
 *
 * <p>Every offer gets the next version of its participant (1, 2, 3, …; also the offer's SDP {@code o=} session
 * version) and the client echoes it in its answer. The SFU sometimes withdraws an outstanding offer and sends the
 * next one at once (its subscribe transport closed, or an answer was refused); the client's answer to the withdrawn
 * offer may already be on its way, and checked against the new offer it would be refused ({@code answer lacks mid
 * 4}), which withdrew that offer too. With the version such an answer is recognised as stale and ignored.
 *
 * <p>The rule ({@link #judge}):
 * <ul>
 *   <li>the outstanding offer's version: {@link Verdict#CURRENT}, checked and applied;</li>
 *   <li>a version that was sent but is no longer outstanding (superseded, withdrawn, or already answered):
 *       {@link Verdict#STALE}, ignored without an error (the client answers the newer offer next);</li>
 *   <li>a version never sent (above the last one, or not positive): {@link Verdict#NEVER_SENT}, refused; the
 *       outstanding offer stays as it is;</li>
 *   <li>no version ({@link #UNVERSIONED}: a client older than the versions): it answers whatever is outstanding,
 *       {@link Verdict#CURRENT}, or {@link Verdict#NONE_OUTSTANDING} without an offer: today's behaviour.</li>
 * </ul>
 */
final class SubscriberOfferVersions {
    /** An answer that names no version (an older client): it is taken for an answer to the outstanding offer. */
    static final long UNVERSIONED = Participant.CURRENT_OFFER;
    private static final long NONE = 0;

    /** What an answer is, judged by the version it names. */
    enum Verdict {
        /** It answers the outstanding offer: check and apply it. */
        CURRENT,
        /** It answers an offer that is no longer outstanding: ignore it. */
        STALE,
        /** It names a version that was never sent: refuse it. */
        NEVER_SENT,
        /** An unversioned answer while no offer is outstanding: refuse it. */
        NONE_OUTSTANDING
    }

    private long lastSent;
    private long outstanding = NONE;

    /** A new offer is sent: its version, now the outstanding one. */
    long next() {
        outstanding = ++lastSent;
        return outstanding;
    }

    /** The outstanding offer was answered or withdrawn: nothing is outstanding until {@link #next}. */
    void settle() {
        outstanding = NONE;
    }

    /** The outstanding offer's version, 0 if none. */
    long outstanding() {
        return outstanding;
    }

    /** The last version sent, 0 before the first offer. */
    long lastSent() {
        return lastSent;
    }

    Verdict judge(long answered) {
        if (answered == UNVERSIONED) return outstanding != NONE ? Verdict.CURRENT : Verdict.NONE_OUTSTANDING;
        if (answered < 0 || answered > lastSent) return Verdict.NEVER_SENT;
        return answered == outstanding ? Verdict.CURRENT : Verdict.STALE;
    }
}
