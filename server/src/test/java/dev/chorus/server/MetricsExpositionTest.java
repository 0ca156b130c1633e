package dev.chorus.server;

import dev.chorus.common.testing.RequiredTool;
import dev.chorus.media.transport.NettyLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Prometheus operator gets from a live server after real traffic: an exposition {@code promtool check metrics}
 * accepts without a single warning, the build info, latency histograms with buckets, and SRTP counters that count.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(NettyLeakGuard.class)
class MetricsExpositionTest {
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir static Path tmp;
    static LiveMetricsServer live;
    static String exposition;

    @BeforeAll
    static void start() throws Exception {
        live = LiveMetricsServer.startWithTraffic(tmp);
        exposition = live.scrape();
    }

    @AfterAll
    static void stop() {
        if (live != null) live.close();
    }

    @Test
    void promtoolAcceptsTheLiveExpositionWithoutAWarning() throws Exception {
        RequiredTool.requireExecutables("promtool (apt-get install prometheus)", PROMTOOL);
        Path file = tmp.resolve("metrics.txt");
        Files.writeString(file, exposition);
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true)
                .redirectInput(file.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).as("promtool findings").isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void srtpPacketsCountWhileMediaFlows() {
        // The publisher's RTP is authenticated and decrypted on the room's worker: it must show in the family.
        assertThat(value("chorus_srtp_packets_total{kind=\"rtp\"}")).isGreaterThanOrEqualTo(LiveMetricsServer.PACKETS);
        assertThat(value("chorus_sfu_packets_total{direction=\"forwarded\"}")).isGreaterThanOrEqualTo(LiveMetricsServer.PACKETS);
    }

    @Test
    void buildInfoAndLatencyHistogramsAreExported() {
        assertThat(exposition).containsPattern("(?m)^chorus_build_info\\{java_version=\"[^\"]+\",version=\"[^\"]+\"} 1(\\.0)?$");
        assertThat(exposition).contains("# TYPE chorus_join_duration_seconds histogram",
                "# TYPE chorus_dtls_handshake_duration_seconds histogram",
                "# TYPE chorus_http_server_requests_seconds histogram");
        assertThat(value("chorus_join_duration_seconds_bucket{le=\"+Inf\"}")).isEqualTo(1);
        assertThat(exposition).containsPattern(
                "chorus_dtls_handshake_duration_seconds_bucket\\{outcome=\"succeeded\",le=\"\\+Inf\"} [2-9]");
    }

    /** The value of the sample named exactly {@code series} (name and labels as exposed). */
    private static double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("series " + series + " in\n" + exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
