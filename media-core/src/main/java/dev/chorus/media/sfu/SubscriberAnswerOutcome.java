package dev.chorus.media.sfu;

/** What became of a subscriber answer ({@link Participant#answerSubscription(String, long)}); refusals fail instead. */
public enum SubscriberAnswerOutcome {
    /** It answered the outstanding offer and was applied. */
    APPLIED,
    /**
     * It answered an offer that is no longer outstanding (superseded by a newer one, withdrawn, or already answered):
     * ignored, nothing changed. Not an error: the client's answer to the newer offer follows.
     */
    IGNORED_STALE
}
