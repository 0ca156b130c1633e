package dev.chorus.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 11: the server's cost per received datagram and where its latency goes, from what a load run already reads
 * (per-thread CPU and context switches from {@code /proc}, the server's counters from {@code /metrics}, each before
 * and after the window). Per-thread CPU per datagram is robust to this VM's wandering speed in a way throughput is
 * not, so it is the figure to compare between runs.
 * <ul>
 *   <li>{@code mediaLoop}: the media socket's event loop thread (thread name {@code chorus-media-udp…}): CPU and
 *       voluntary/involuntary context switches per datagram it received ({@code chorus_media_packets_total{direction="in"}}).</li>
 *   <li>{@code workers}: the SFU worker threads together, per published packet they processed
 *       ({@code chorus_sfu_packets_total{direction="in"}}), and sendmmsg calls per published packet.</li>
 *   <li>{@code serverDelay}: upper bounds of the median and p99 of a published packet's time inside the server, from
 *       the event loop's hand-over to the worker's pick-up ({@code queued}) and to its flushed sends ({@code sent}),
 *       from {@code chorus_sfu_packet_delay_within_total}: the server's share of the run's one-way latency.</li>
 * </ul>
 * The counters are scraped just outside the CPU window, so the per-datagram figures are slightly low (by the few
 * milliseconds between the reads).
 */
final class ServerReceivePath {
    static final String MEDIA_LOOP = "chorus-media-ud"; // "chorus-media-udp-1-1", cut to 15 characters by the kernel
    static final String WORKER = "chorus-sfu-work";
    private static final Pattern DELAY = Pattern.compile(
            "chorus_sfu_packet_delay_within_total\\{seconds=\"([^\"]+)\",stage=\"(\\w+)\"}");

    private ServerReceivePath() {}

    static Map<String, Object> report(Map<String, Long> cpu0, Map<String, Long> cpu1, Map<String, long[]> switches0,
                                      Map<String, long[]> switches1, Map<String, Double> metrics0, Map<String, Double> metrics1) {
        Map<String, Object> out = new LinkedHashMap<>();
        double datagrams = delta(metrics0, metrics1, "chorus_media_packets_total{direction=\"in\"}");
        double published = delta(metrics0, metrics1, "chorus_sfu_packets_total{direction=\"in\"}");
        out.put("mediaLoop", perUnit(MEDIA_LOOP, datagrams, "Datagram", cpu0, cpu1, switches0, switches1));
        Map<String, Object> workers = perUnit(WORKER, published, "PublishedPacket", cpu0, cpu1, switches0, switches1);
        double sendmmsg = delta(metrics0, metrics1, "chorus_media_sendmmsg_calls_total");
        workers.put("sendmmsgCallsPerPublishedPacket", published == 0 ? Double.NaN : sendmmsg / published);
        out.put("workers", workers);
        out.put("serverDelay", delays(metrics0, metrics1));
        return out;
    }

    private static Map<String, Object> perUnit(String prefix, double units, String unit, Map<String, Long> cpu0,
                                               Map<String, Long> cpu1, Map<String, long[]> sw0, Map<String, long[]> sw1) {
        long cpu = 0;
        long voluntary = 0;
        long involuntary = 0;
        int threads = 0;
        for (var e : cpu1.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            long d = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
            if (d <= 0) continue; // idle workers (no room) say nothing
            threads++;
            cpu += d;
            long[] a = sw0.getOrDefault(e.getKey(), new long[2]);
            long[] b = sw1.getOrDefault(e.getKey(), a);
            voluntary += b[0] - a[0];
            involuntary += b[1] - a[1];
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", threads);
        m.put(Character.toLowerCase(unit.charAt(0)) + unit.substring(1) + "s", (long) units);
        m.put("cpuSeconds", cpu / 1e9);
        m.put("cpuNanosPer" + unit, units == 0 ? Double.NaN : cpu / units);
        m.put("voluntarySwitchesPer" + unit, units == 0 ? Double.NaN : voluntary / units);
        m.put("involuntarySwitchesPer" + unit, units == 0 ? Double.NaN : involuntary / units);
        return m;
    }

    /** Per stage: the smallest bucket bounds holding half and 99 % of the window's packets (µs; -1 past the last bound). */
    static Map<String, Object> delays(Map<String, Double> metrics0, Map<String, Double> metrics1) {
        Map<String, TreeMap<Double, Double>> byStage = new TreeMap<>();
        for (var e : metrics1.entrySet()) {
            Matcher m = DELAY.matcher(e.getKey());
            if (!m.matches()) continue;
            double bound = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            byStage.computeIfAbsent(m.group(2), k -> new TreeMap<>())
                    .put(bound, e.getValue() - metrics0.getOrDefault(e.getKey(), 0.0));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        byStage.forEach((stage, buckets) -> {
            double total = buckets.lastEntry().getValue();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("packets", (long) total);
            s.put("p50AtMostMicros", quantileBound(buckets, total, 0.50));
            s.put("p99AtMostMicros", quantileBound(buckets, total, 0.99));
            Double withinOneMs = buckets.get(0.001);
            s.put("percentWithin1ms", total == 0 || withinOneMs == null ? Double.NaN : 100.0 * withinOneMs / total);
            out.put(stage, s);
        });
        return out;
    }

    private static long quantileBound(TreeMap<Double, Double> cumulative, double total, double q) {
        if (total == 0) return 0;
        for (var e : cumulative.entrySet()) {
            if (e.getValue() >= q * total) {
                return Double.isInfinite(e.getKey()) ? -1 : Math.round(e.getKey() * 1e6);
            }
        }
        return -1;
    }

    private static double delta(Map<String, Double> m0, Map<String, Double> m1, String key) {
        return m1.getOrDefault(key, 0.0) - m0.getOrDefault(key, 0.0);
    }
}
