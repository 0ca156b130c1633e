package dev.chorus.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-socket kernel drop counters of UDP sockets ({@code /proc/net/udp} and {@code udp6}, last column): the datagrams the kernel
 * threw away because that socket's receive buffer was full. Read for the generator's own sockets they are the
 * client-side drops (the generator did not read fast enough), which must not be charged to the server; read for the
 * SFU's media port they are the server's receive-side drops. Linux only (empty elsewhere).
 */
final class UdpSocketDrops {
    private final Map<String, Long> byLocal; // "HEXADDR:HEXPORT" -> drops

    private UdpSocketDrops(Map<String, Long> byLocal) {
        this.byLocal = byLocal;
    }

    static UdpSocketDrops read() {
        Map<String, Long> m = new HashMap<>();
        try {
            for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
                if (!Files.isReadable(Path.of(table))) continue;
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 13 || !f[1].contains(":")) continue;
                    m.merge(f[1], Long.parseLong(f[12]), Long::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: no drop figures
        }
        return new UdpSocketDrops(m);
    }

    /** The kernel's key for an IPv4 socket address: little-endian hex address, big-endian hex port. */
    static String key(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", b[3] & 0xFF, b[2] & 0xFF, b[1] & 0xFF, b[0] & 0xFF, a.getPort());
    }

    /** Drops summed over these local addresses (sockets that are gone count as 0). */
    long of(Collection<InetSocketAddress> sockets) {
        long sum = 0;
        for (InetSocketAddress a : sockets) sum += byLocal.getOrDefault(key(a), 0L);
        return sum;
    }

    /** Drops summed over every socket bound to this local port, whatever the address (the SFU's media port). */
    long ofPort(int port) {
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        long sum = 0;
        for (var e : byLocal.entrySet()) if (e.getKey().endsWith(suffix)) sum += e.getValue();
        return sum;
    }
}
