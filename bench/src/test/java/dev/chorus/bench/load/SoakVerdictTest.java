package dev.chorus.bench.load;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's pass/fail rules (issue 16) and the load run's limit verdict, on samples made up for each rule. */
class SoakVerdictTest {
    static Map<String, Object> sample(long heap, long leaks, long fds, long threads) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("heapAfterGcBytes", heap);
        s.put("nettyLeakReports", leaks);
        s.put("fileDescriptors", fds);
        s.put("threads", threads);
        return s;
    }

    static List<Map<String, Object>> steady(int n) {
        List<Map<String, Object>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(sample(40_000_000L + (i % 2) * 1_000_000L, 0, 60, 40));
        return l;
    }

    @Test
    void flatHeapNoLeaksNoErrorsAndFlatCountsPass() {
        Map<String, Object> v = Soak.verdict(steady(9), 0, 20);
        assertThat(v.get("passed")).as("%s", v).isEqualTo(true);
    }

    @Test
    void heapAfterGcGrowingMoreThanTenPercentFails() {
        List<Map<String, Object>> s = steady(9);
        s.set(8, sample(44_500_000L, 0, 60, 40));
        assertThat(Soak.verdict(s, 0, 20).get("passed")).isEqualTo(false);
        assertThat(Soak.verdict(s, 0, 20).get("failures").toString()).contains("heap after GC grew");
        s.set(8, sample(43_900_000L, 0, 60, 40)); // 9.75 %: within
        assertThat(Soak.verdict(s, 0, 20).get("passed")).isEqualTo(true);
    }

    @Test
    void anyLeakReportOrErrorFails() {
        List<Map<String, Object>> s = steady(9);
        s.set(8, sample(40_000_000L, 1, 60, 40));
        assertThat(Soak.verdict(s, 0, 20).get("failures").toString()).contains("Netty leak");
        assertThat(Soak.verdict(steady(9), 1, 20).get("failures").toString()).contains("1 errors");
    }

    @Test
    void descriptorsOrThreadsGrowingOverTheRunFail() {
        List<Map<String, Object>> s = steady(9);
        for (int i = 6; i < 9; i++) s.set(i, sample(40_000_000L, 0, 60 + 6 + 40 + 20, 40)); // > 60 * 1.1 + 2 * 20 + 4
        assertThat(Soak.verdict(s, 0, 20).get("failures").toString()).contains("fileDescriptors not flat");
        s = steady(9);
        for (int i = 6; i < 9; i++) s.set(i, sample(40_000_000L, 0, 60, 60));
        assertThat(Soak.verdict(s, 0, 20).get("failures").toString()).contains("threads not flat");
    }

    @Test
    void tooFewSamplesIsNotAPass() {
        assertThat(Soak.verdict(steady(2), 0, 20).get("passed")).isEqualTo(false);
    }

    @Test
    void limitNamesTheGeneratorWhenItDroppedAndTheServerWhenPacketsWentMissingThere() {
        Map<String, Object> threads = Map.of("largestThreadSharePercent", 50.0);
        assertThat(Limit.verdict(1000, 10, 10, 0, 120, 80, threads).get("side")).isEqualTo("generator");
        assertThat(Limit.verdict(1000, 10, 0, 0, 120, 80, threads).get("side")).isEqualTo("server");
        assertThat(Limit.verdict(1000, 0, 0, 0, 50, 190, Map.of("largestThreadSharePercent", 50.0)).get("side"))
                .isEqualTo("server"); // one thread at 95 % of a core
        assertThat(Limit.verdict(1000, 0, 0, 0, 50, 40, threads).get("side")).isEqualTo("none");
    }

    @Test
    void kernelSocketKeysMatchProcNetUdp() {
        // /proc/net/udp: little-endian IPv4 address, big-endian port, upper-case hex
        assertThat(UdpSocketDrops.key(new InetSocketAddress("127.0.0.1", 10000))).isEqualTo("0100007F:2710");
    }
}
