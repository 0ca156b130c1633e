package dev.chorus.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which side limited a run: the generator (it dropped at its own sockets, could not decrypt, or its senders fell
 * behind schedule), the server (packets the server did not deliver, or one server thread close to a full core), or
 * neither (both below saturation; the headroom is what the machine's cores had left). The server and the
 * generator share the machine, so a figure measured while the generator was the limit says nothing about the server.
 */
final class Limit {
    /** A thread above this share of one core is saturated (the remainder is scheduling noise on a shared machine). */
    static final double SATURATED_THREAD_PERCENT = 90;

    private Limit() {}

    static Map<String, Object> verdict(long expected, long lost, long clientDrops, long publisherStalls,
                                       double generatorCpuPercent, double serverCpuPercent, Map<String, Object> serverThreads) {
        int cores = Runtime.getRuntime().availableProcessors();
        double busiestShare = ((Number) serverThreads.getOrDefault("largestThreadSharePercent", 0.0)).doubleValue();
        double busiestThreadPercentOfCore = busiestShare * serverCpuPercent / 100.0;
        long serverLoss = Math.max(0, lost - clientDrops);
        List<String> generator = new ArrayList<>();
        List<String> server = new ArrayList<>();
        if (clientDrops > 0) generator.add(clientDrops + " packets dropped or undecryptable at the generator's sockets");
        if (publisherStalls > 0) generator.add("publishers fell behind their schedule " + publisherStalls + " times");
        if (serverLoss > 0) server.add(serverLoss + " of " + expected + " deliveries not made by the server");
        if (busiestThreadPercentOfCore >= SATURATED_THREAD_PERCENT) {
            server.add(String.format(java.util.Locale.ROOT, "its busiest thread used %.0f %% of a core", busiestThreadPercentOfCore));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("side", !generator.isEmpty() ? "generator" : !server.isEmpty() ? "server" : "none");
        m.put("generatorReasons", generator);
        m.put("serverReasons", server);
        m.put("serverCpuPercentOfOneCore", serverCpuPercent);
        m.put("serverBusiestThreadPercentOfOneCore", busiestThreadPercentOfCore);
        m.put("generatorCpuPercentOfOneCore", generatorCpuPercent);
        m.put("machineCores", cores);
        m.put("machineHeadroomPercentOfOneCore", Math.max(0, 100.0 * cores - serverCpuPercent - generatorCpuPercent));
        return m;
    }
}
