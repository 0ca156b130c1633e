package dev.chorus.media.datarelay;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Exports the relays' counters (one {@link DataRelayCounters} per worker thread, shared by that worker's rooms) by
 * reading them at scrape time: {@code chorus.data.messages{outcome}} and {@code chorus.data.bytes{outcome}}
 * (outcomes of {@link RelayOutcome} in lower case: {@code relayed}, {@code refused_*} per message sent;
 * {@code queued}, {@code dropped_*} per receiver copy), {@code chorus.data.queue.drops}, {@code chorus.data.sctp.dropped} and
 * {@code chorus.data.channels.open}.
 */
public final class DataRelayMetrics implements MeterBinder {
    private final List<DataRelayCounters> workers;

    public DataRelayMetrics(List<DataRelayCounters> workers) {
        this.workers = List.copyOf(workers);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (RelayOutcome o : RelayOutcome.values()) {
            String tag = o.name().toLowerCase(Locale.ROOT);
            counter(registry, "chorus.data.messages", "data messages sent and receiver copies, by outcome",
                    c -> c.messages(o), tag);
            counter(registry, "chorus.data.bytes", "data payload bytes sent and receiver copies, by outcome",
                    c -> c.bytes(o), tag);
        }
        FunctionCounter.builder("chorus.data.queue.drops", this, m -> m.sum(DataRelayCounters::queueDrops))
                .description("receiver copies dropped or evicted because the receiver's queue was full")
                .register(registry);
        FunctionCounter.builder("chorus.data.sctp.dropped", this, m -> m.sum(DataRelayCounters::sctpDropped))
                .description("SCTP packets dropped (bad header, checksum, out of the blue) and malformed chunks skipped")
                .register(registry);
        Gauge.builder("chorus.data.channels.open", this, m -> m.sum(DataRelayCounters::channelsOpen))
                .description("open data channels").register(registry);
    }

    private void counter(MeterRegistry registry, String name, String help, ToLongFunction<DataRelayCounters> f,
                         String outcome) {
        FunctionCounter.builder(name, this, m -> m.sum(f)).description(help).tag("outcome", outcome).register(registry);
    }

    private double sum(ToLongFunction<DataRelayCounters> f) {
        long total = 0;
        for (DataRelayCounters c : workers) total += f.applyAsLong(c);
        return total;
    }
}
