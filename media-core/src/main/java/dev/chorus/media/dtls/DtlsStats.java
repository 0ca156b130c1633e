package dev.chorus.media.dtls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * DTLS counters of one server instance. Handshakes complete on many virtual threads, so these are atomics; they
 * change per handshake, not per packet. Cookie replies and drops are counted by the event loop.
 */
public final class DtlsStats {
    final LongAdder succeeded = new LongAdder();
    final Map<DtlsFailure, LongAdder> failed = new EnumMap<>(DtlsFailure.class);
    final LongAdder cookieRequestsAnswered = new LongAdder();
    final LongAdder droppedBusy = new LongAdder();
    final LongAdder droppedQueueFull = new LongAdder();
    final AtomicLong inProgress = new AtomicLong();
    private volatile HandshakeTimeRecorder timeRecorder = (nanos, ok) -> {};

    public DtlsStats() {
        for (DtlsFailure f : DtlsFailure.values()) failed.put(f, new LongAdder());
    }

    /** Receives every handshake's duration (Micrometer timer in production). */
    @FunctionalInterface
    public interface HandshakeTimeRecorder {
        void record(long nanos, boolean succeeded);
    }

    public void setTimeRecorder(HandshakeTimeRecorder recorder) { this.timeRecorder = recorder; }

    void recordSuccess(long nanos) {
        succeeded.increment();
        timeRecorder.record(nanos, true);
    }

    void recordFailure(DtlsFailure reason, long nanos) {
        failed.get(reason).increment();
        timeRecorder.record(nanos, false);
    }

    public long succeeded() { return succeeded.sum(); }
    public long failed(DtlsFailure reason) { return failed.get(reason).sum(); }
    public long failedTotal() { return failed.values().stream().mapToLong(LongAdder::sum).sum(); }
    /** HelloVerifyRequests sent (stateless cookie exchange). */
    public long cookieRequestsAnswered() { return cookieRequestsAnswered.sum(); }
    /** Cookie-verified ClientHellos dropped because the concurrent-handshake bound was reached. */
    public long droppedBusy() { return droppedBusy.sum(); }
    /** Datagrams dropped because a session's queue was full. */
    public long droppedQueueFull() { return droppedQueueFull.sum(); }
    /** Handshakes running right now. */
    public long inProgress() { return inProgress.get(); }
}
