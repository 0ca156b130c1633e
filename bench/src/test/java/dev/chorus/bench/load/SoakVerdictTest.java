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
    static final Soak.Tally CLEAN = Soak.Tally.clean(480);
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
        Map<String, Object> v = Soak.verdict(steady(9), CLEAN, 20);
        assertThat(v.get("passed")).as("%s", v).isEqualTo(true);
    }

    @Test
    void heapAfterGcGrowingMoreThanTenPercentFails() {
        List<Map<String, Object>> s = steady(9);
        s.set(8, sample(44_500_000L, 0, 60, 40));
        assertThat(Soak.verdict(s, CLEAN, 20).get("passed")).isEqualTo(false);
        assertThat(Soak.verdict(s, CLEAN, 20).get("failures").toString()).contains("heap after GC grew");
        s.set(8, sample(43_900_000L, 0, 60, 40)); // 9.75 %: within
        assertThat(Soak.verdict(s, CLEAN, 20).get("passed")).isEqualTo(true);
    }

    @Test
    void anyLeakReportOrErrorFails() {
        List<Map<String, Object>> s = steady(9);
        s.set(8, sample(40_000_000L, 1, 60, 40));
        assertThat(Soak.verdict(s, CLEAN, 20).get("failures").toString()).contains("Netty leak");
        assertThat(Soak.verdict(steady(9), new Soak.Tally(1, 0, 0, 480, 480, 0), 20).get("failures").toString()).contains("1 errors");
    }

    @Test
    void descriptorsOrThreadsGrowingOverTheRunFail() {
        List<Map<String, Object>> s = steady(9);
        for (int i = 6; i < 9; i++) s.set(i, sample(40_000_000L, 0, 60 + 6 + 40 + 20, 40)); // > 60 * 1.1 + 2 * 20 + 4
        assertThat(Soak.verdict(s, CLEAN, 20).get("failures").toString()).contains("fileDescriptors not flat");
        s = steady(9);
        for (int i = 6; i < 9; i++) s.set(i, sample(40_000_000L, 0, 60, 60));
        assertThat(Soak.verdict(s, CLEAN, 20).get("failures").toString()).contains("threads not flat");
    }

    @Test
    void anErrorLineInTheServersOutputFails() {
        assertThat(Soak.verdict(steady(9), new Soak.Tally(0, 0, 0, 480, 480, 1), 20).get("failures").toString())
                .contains("the server logged 1 ERROR lines");
    }

    @Test
    void aGeneratorDeadlineOnAMachineThatWasNotOverloadedFailsLikeAServerError() {
        Map<String, Object> v = Soak.verdict(steady(9), new Soak.Tally(0, 1, 0, 480, 480, 0), 20);
        assertThat(v.get("passed")).isEqualTo(false);
        assertThat(v.get("failures").toString()).contains("1 generator deadlines passed while the machine was not overloaded");
    }

    @Test
    void deadlinesOnAnOverloadedMachineAreToleratedUpToOnePercentOfTheParticipantsThenTheRunIsInconclusive() {
        assertThat(Soak.verdict(steady(9), new Soak.Tally(0, 0, 4, 480, 480, 0), 20).get("passed")).isEqualTo(true);
        Map<String, Object> v = Soak.verdict(steady(9), new Soak.Tally(0, 0, 5, 480, 480, 0), 20);
        assertThat(v.get("passed")).isEqualTo(false);
        assertThat(v.get("failures").toString()).contains("inconclusive: 5 generator deadlines");
        // and never in place of a server error: both are listed
        v = Soak.verdict(steady(9), new Soak.Tally(2, 0, 1, 480, 480, 0), 20);
        assertThat(v.get("failures").toString()).contains("2 errors");
    }

    @Test
    void aRateNotSustainedIsInconclusive() {
        assertThat(Soak.verdict(steady(9), new Soak.Tally(0, 0, 0, 480, 432, 0), 20).get("passed")).isEqualTo(true);
        Map<String, Object> v = Soak.verdict(steady(9), new Soak.Tally(0, 0, 0, 480, 431, 0), 20);
        assertThat(v.get("failures").toString()).contains("only 431 of 480 participants asked for could be started");
    }

    @Test
    void theGeneratorsOwnDeadlinesAreTimeoutsAnythingElseIsAnError() throws Exception {
        assertThat(Soak.classify(new GeneratorTimeout("ICE check failed"))).isEqualTo(Soak.Kind.TIMEOUT);
        assertThat(Soak.classify(new java.io.IOException("WebSocket connect failed",
                new java.util.concurrent.TimeoutException()))).isEqualTo(Soak.Kind.TIMEOUT);
        assertThat(Soak.classify(new org.bouncycastle.tls.TlsTimeoutException("Handshake timed out"))).isEqualTo(Soak.Kind.TIMEOUT);
        assertThat(Soak.classify(new java.net.http.HttpConnectTimeoutException("connect"))).isEqualTo(Soak.Kind.TIMEOUT);
        assertThat(Soak.classify(new java.io.IOException("server error: negotiation_failed"))).isEqualTo(Soak.Kind.ERROR);
        assertThat(Soak.classify(new java.io.IOException("token mint: HTTP 503"))).isEqualTo(Soak.Kind.ERROR);
        assertThat(Soak.classify(null)).isEqualTo(Soak.Kind.ERROR);
    }

    @Test
    void deadlinesGrowWithTheLoadPerCoreBoundedAtFourTimes() {
        assertThat(Machine.deadlineFactor(1.0, 2)).isEqualTo(1.0);
        assertThat(Machine.deadlineFactor(6.0, 2)).isEqualTo(3.0);
        assertThat(Machine.deadlineFactor(40.0, 2)).isEqualTo(4.0);
        assertThat(Soak.iceAttempts(1.0)).isEqualTo(5);
        assertThat(Soak.iceAttempts(4.0)).isEqualTo(20);
        assertThat(Machine.overloaded(6.0, 2)).isFalse();
        assertThat(Machine.overloaded(6.1, 2)).isTrue();
    }

    @Test
    void theServerLogWatchCountsLeaksAndErrorLinesOfTheWholeOutput() {
        ServerLogWatch w = new ServerLogWatch();
        for (int i = 0; i < 5000; i++) w.accept("2026-12-06T00:00:00.000Z INFO  d.c.s.Main event=joined n=" + i);
        w.accept("2026-12-06T00:00:01.000Z ERROR i.n.u.ResourceLeakDetector LEAK: ByteBuf.release() was not called");
        w.accept("2026-12-06T00:00:02.000Z WARN  d.c.m.s.SubscribeSide event=subscriber_answer_refused");
        w.accept("\tat dev.chorus.Foo.bar(Foo.java:1) ERROR in a stack trace line is not a log event");
        assertThat(w.leakReports.get()).isEqualTo(1);
        assertThat(w.errorLines.get()).isEqualTo(1);
        assertThat(w.warnLines.get()).isEqualTo(1);
        assertThat(w.notableLines()).hasSize(2);
    }

    @Test
    void heapAfterGcIsTheTotalOfTheClassHistogram() {
        String histogram = "1593:\n num     #instances         #bytes  class name (module)\n"
                + "   1:         80144       22934128  [B (java.base@25.0.3)\n"
                + "Total        406214       38685632\n";
        assertThat(ServerHealth.liveBytes(histogram)).isEqualTo(38_685_632L);
        assertThat(ServerHealth.liveBytes("1593:\ncom.sun.tools.attach.AttachNotSupportedException")).isEqualTo(-1);
    }

    @Test
    void tooFewSamplesIsNotAPass() {
        assertThat(Soak.verdict(steady(2), CLEAN, 20).get("passed")).isEqualTo(false);
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
