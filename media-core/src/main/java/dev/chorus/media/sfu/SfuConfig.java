package dev.chorus.media.sfu;

/**
 * Configuration of the SFU's media plane.
 *
 * @param workers                number of worker threads (≈ cores); rooms are spread over them
 * @param workerQueueCapacity    packets waiting per worker (power of two); when full, packets are dropped and counted
 * @param emptyRoomGraceMillis   an empty room closes after this long
 * @param rtcpIntervalMillis     period of receiver reports to publishers and sender reports to subscribers
 * @param transportCcIntervalMillis period of transport-cc feedback to publishers that negotiated it
 * @param keyframeMinIntervalMillis at most one keyframe request (PLI) per published video track per interval;
 *                               requests inside the interval are coalesced into one sent when it ends (checklist 42)
 * @param retransmitCachePackets packets kept per published video track for NACKs (power of two)
 * @param retransmitCacheMillis  oldest packet age answered from the cache
 * @param nackBudgetPerSecond    retransmissions per subscriber per second (token bucket; checklist 42)
 * @param nackMaxPerRequest      retransmissions for one NACK packet at most
 * @param bitrateToleranceFactor policing: a publisher may burst to {@code maxKbps × factor} before packets drop
 */
public record SfuConfig(int workers, int workerQueueCapacity, long emptyRoomGraceMillis, long rtcpIntervalMillis,
                        long transportCcIntervalMillis, long keyframeMinIntervalMillis, int retransmitCachePackets,
                        long retransmitCacheMillis, int nackBudgetPerSecond, int nackMaxPerRequest,
                        double bitrateToleranceFactor) {
    public SfuConfig {
        if (workers < 1) throw new IllegalArgumentException("workers");
        if (Integer.bitCount(workerQueueCapacity) != 1) throw new IllegalArgumentException("workerQueueCapacity");
        if (Integer.bitCount(retransmitCachePackets) != 1) throw new IllegalArgumentException("retransmitCachePackets");
        if (rtcpIntervalMillis < 10 || transportCcIntervalMillis < 10) throw new IllegalArgumentException("interval");
        if (nackBudgetPerSecond < 0 || nackMaxPerRequest < 0) throw new IllegalArgumentException("nack budget");
        if (bitrateToleranceFactor < 1) throw new IllegalArgumentException("bitrateToleranceFactor");
    }

    /** Production defaults: one worker per available processor. */
    public static SfuConfig defaults() {
        return new SfuConfig(Runtime.getRuntime().availableProcessors(), 4096, 10_000, 1000, 100, 500, 512, 1000,
                500, 64, 1.5);
    }

    public SfuConfig withWorkers(int n) {
        return new SfuConfig(n, workerQueueCapacity, emptyRoomGraceMillis, rtcpIntervalMillis,
                transportCcIntervalMillis, keyframeMinIntervalMillis, retransmitCachePackets, retransmitCacheMillis,
                nackBudgetPerSecond, nackMaxPerRequest, bitrateToleranceFactor);
    }

    public SfuConfig withEmptyRoomGraceMillis(long millis) {
        return new SfuConfig(workers, workerQueueCapacity, millis, rtcpIntervalMillis, transportCcIntervalMillis,
                keyframeMinIntervalMillis, retransmitCachePackets, retransmitCacheMillis, nackBudgetPerSecond,
                nackMaxPerRequest, bitrateToleranceFactor);
    }

    public SfuConfig withKeyframeMinIntervalMillis(long millis) {
        return new SfuConfig(workers, workerQueueCapacity, emptyRoomGraceMillis, rtcpIntervalMillis,
                transportCcIntervalMillis, millis, retransmitCachePackets, retransmitCacheMillis, nackBudgetPerSecond,
                nackMaxPerRequest, bitrateToleranceFactor);
    }

    public SfuConfig withNackBudget(int perSecond, int perRequest) {
        return new SfuConfig(workers, workerQueueCapacity, emptyRoomGraceMillis, rtcpIntervalMillis,
                transportCcIntervalMillis, keyframeMinIntervalMillis, retransmitCachePackets, retransmitCacheMillis,
                perSecond, perRequest, bitrateToleranceFactor);
    }

    public SfuConfig withRtcpIntervalMillis(long rtcp, long transportCc) {
        return new SfuConfig(workers, workerQueueCapacity, emptyRoomGraceMillis, rtcp, transportCc,
                keyframeMinIntervalMillis, retransmitCachePackets, retransmitCacheMillis, nackBudgetPerSecond,
                nackMaxPerRequest, bitrateToleranceFactor);
    }
}
