package dev.chorus.media.sfu;

/**
 * Counters of one worker. Plain fields with a single writer each (the worker; {@link #queueFull} the UDP event
 * loop), read by Micrometer from another thread: slightly stale values are fine and nothing is fenced per packet.
 */
public final class SfuCounters {
    long packetsIn;
    long packetsForwarded;
    long bytesForwarded;
    long rtcpIn;
    long rtcpSent;
    final long[] drops = new long[SfuDropReason.values().length];
    /** Written by the producer (UDP event loop) only. */
    long queueFull;
    long nacksReceived;
    long nacksAnswered;
    long nacksMissed;
    long nacksOverBudget;
    /** Issue 12: NACKs not answered because the retransmission would exceed the subscriber's estimate. */
    long nacksOverBandwidth;
    /** The SFU's own NACKs to publishers ({@link dev.chorus.media.sfu.rtcp.NackGenerator}). */
    long nacksSentUpstream;
    long nacksRequested;
    long nacksRecovered;
    long nacksGivenUp;
    long keyframeRequestsReceived;
    long plisSent;
    long transportCcFeedbacksSent;
    long sendFailures;
    long subscriptionsOverCapacity;
    /** Subscriber answers to an offer no longer outstanding (superseded, withdrawn or already answered): ignored. */
    long staleSubscriberAnswers;
    /** Issue 12: spatial layer switches of simulcast consumers (after the first layer). */
    long layerSwitches;
    /** Issue 12: dynacast layer sets sent to publishers. */
    long layerMasksSent;
    /** Issue 12: bandwidth estimation: probes started, padding packets sent for them, videos paused for bandwidth. */
    long probesStarted;
    long probePacketsSent;
    long bandwidthPauses;
    /** Issue 12: bytes sent to subscribers whose estimate governs them, by kind (media, retransmission, probe). */
    long bweMediaBytes;
    long bweRetransmissionBytes;
    long bweProbeBytes;
    /** Issue 12: changes of a simulcast consumer's target layer, by {@link SwitchReason}. */
    final long[] targetChanges = new long[SwitchReason.values().length];

    /** Why a subscriber's target layer changed. */
    public enum SwitchReason {
        /** Its bandwidth allocation (estimate) moved the cap. */
        BANDWIDTH,
        /** What it asks for changed (element size, visibility, preferred quality, mute). */
        VIEW,
        /** The publisher started or stopped sending a layer (dynacast, its own encoder). */
        PUBLISHER
    }

    void drop(SfuDropReason reason) {
        drops[reason.ordinal()]++;
    }

    public long packetsIn() { return packetsIn; }
    public long packetsForwarded() { return packetsForwarded; }
    public long bytesForwarded() { return bytesForwarded; }
    public long rtcpIn() { return rtcpIn; }
    public long rtcpSent() { return rtcpSent; }
    public long drops(SfuDropReason reason) {
        return reason == SfuDropReason.QUEUE_FULL ? queueFull : drops[reason.ordinal()];
    }
    public long nacksReceived() { return nacksReceived; }
    public long nacksAnswered() { return nacksAnswered; }
    public long nacksMissed() { return nacksMissed; }
    public long nacksOverBudget() { return nacksOverBudget; }
    /** NACKs left unanswered because the subscriber's estimate had no room for the retransmission. */
    public long nacksOverBandwidth() { return nacksOverBandwidth; }
    /** NACK packets the SFU sent to publishers for holes in their streams. */
    public long nacksSentUpstream() { return nacksSentUpstream; }
    /** Sequence numbers asked of publishers (a retry counts again). */
    public long nacksRequested() { return nacksRequested; }
    /** Asked-for packets that then arrived (RTX repairs, late packets). */
    public long nacksRecovered() { return nacksRecovered; }
    /** Missing packets no longer asked for (retries or age exhausted, too many missing: a key frame instead). */
    public long nacksGivenUp() { return nacksGivenUp; }
    public long keyframeRequestsReceived() { return keyframeRequestsReceived; }
    public long plisSent() { return plisSent; }
    public long transportCcFeedbacksSent() { return transportCcFeedbacksSent; }
    /** Packets the transport refused to queue (not connected yet, closed, protect failure). */
    public long sendFailures() { return sendFailures; }
    /** Tracks not offered to a subscriber because its transport's SRTP stream bound was reached. */
    public long subscriptionsOverCapacity() { return subscriptionsOverCapacity; }
    /** Subscriber answers ignored because the offer they answer is no longer outstanding. */
    public long staleSubscriberAnswers() { return staleSubscriberAnswers; }
    public long layerSwitches() { return layerSwitches; }
    public long layerMasksSent() { return layerMasksSent; }
    public long probesStarted() { return probesStarted; }
    public long probePacketsSent() { return probePacketsSent; }
    public long bandwidthPauses() { return bandwidthPauses; }
    public long bweMediaBytes() { return bweMediaBytes; }
    public long bweRetransmissionBytes() { return bweRetransmissionBytes; }
    public long bweProbeBytes() { return bweProbeBytes; }
    public long targetChanges(SwitchReason reason) { return targetChanges[reason.ordinal()]; }
}
