package dev.chorus.turn.metrics;

import dev.chorus.turn.core.Refusal;
import dev.chorus.turn.core.TurnCore;
import dev.chorus.turn.netty.TurnServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Micrometer view of a TURN server: {@code chorus.turn.allocations} (open), {@code chorus.turn.relayed.packets}
 * and {@code chorus.turn.relayed.bytes} by direction, {@code chorus.turn.refusals} by reason. The core keeps plain
 * counters on its thread; these meters only read them (no per-packet metrics call).
 */
public final class TurnMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private TurnMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public static TurnMetrics bind(MeterRegistry registry, TurnServer server) {
        TurnMetrics m = new TurnMetrics(registry);
        TurnCore core = server.core();
        m.meters.add(Gauge.builder("chorus.turn.allocations", core, TurnCore::allocationCount)
                .description("Open TURN allocations").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.relayed.packets", core, TurnCore::packetsToPeer)
                .tag("direction", "to_peer").description("Packets relayed").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.relayed.packets", core, TurnCore::packetsToClient)
                .tag("direction", "to_client").description("Packets relayed").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.relayed.bytes", core, TurnCore::bytesToPeer)
                .tag("direction", "to_peer").baseUnit("bytes").description("Payload bytes relayed").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.relayed.bytes", core, TurnCore::bytesToClient)
                .tag("direction", "to_client").baseUnit("bytes").description("Payload bytes relayed").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.allocations.granted", core, TurnCore::allocationsCreated)
                .description("TURN allocations granted (Allocate successes; the name avoids Prometheus' reserved _created suffix)").register(registry));
        m.meters.add(Gauge.builder("chorus.turn.connections", server, TurnServer::streamConnections)
                .description("Open TCP/TLS client connections").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.connections.rejected", server, TurnServer::rejectedConnections)
                .description("TCP/TLS connections closed at the connection cap (total or per source)").register(registry));
        m.meters.add(FunctionCounter.builder("chorus.turn.connections.timed.out", server, TurnServer::unauthenticatedTimeouts)
                .description("TCP/TLS connections closed for not allocating in time").register(registry));
        for (Refusal r : Refusal.values()) {
            m.meters.add(FunctionCounter.builder("chorus.turn.refusals", core, c -> c.refusals(r))
                    .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Requests refused and packets dropped by the TURN server").register(registry));
        }
        return m;
    }

    @Override
    public void close() {
        for (Meter meter : meters) registry.remove(meter);
        meters.clear();
    }
}
