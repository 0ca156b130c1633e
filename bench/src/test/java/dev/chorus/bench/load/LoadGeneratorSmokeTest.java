package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves the load generator works end to end, with no timing thresholds: it starts a real dev-mode server as a
 * child process in a temp dir, drives 1 publisher → 2 subscribers through real signaling, ICE, DTLS and SRTP for a
 * few seconds, writes a parsable JSON report with received packets, and leaves no server running.
 */
class LoadGeneratorSmokeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path out;

    @Test
    @Timeout(240)
    void smallRunAgainstASpawnedServerReceivesPacketsAndWritesAReport() throws Exception {
        int code = LoadMain.run("load", "--spawn-server", "--publishers", "1", "--subscribers", "2",
                "--warmup", "1s", "--duration", "8s", "--floor-packets", "20000", "--out", out.toString());
        assertThat(code).isZero();
        Path report = LoadMain.lastReport();
        assertThat(report).isNotNull().startsWith(out);
        JsonNode r = JSON.readTree(Files.readString(report));
        assertThat(r.at("/load/receivedDeliveries").asLong()).isPositive();
        assertThat(r.at("/load/expectedDeliveries").asLong()).isPositive();
        assertThat(r.at("/load/errors").isArray()).isTrue();
        assertThat(r.at("/load/latency/samples").asLong()).isPositive();
        // One-way latency to the datagram's arrival at the subscriber's socket (kernel timestamps); the generator's
        // own wait before reading it is reported apart, and send → read is at least send → arrival.
        assertThat(r.at("/load/latency/arrivalClock").asText()).isEqualTo("kernel");
        assertThat(r.at("/load/generatorReceiveDelay/samples").asLong()).isEqualTo(r.at("/load/latency/samples").asLong());
        assertThat(r.at("/load/latencyToRead/p50").asLong()).isGreaterThanOrEqualTo(r.at("/load/latency/p50").asLong());
        assertThat(r.at("/load/serverCpuSeconds").isNumber()).isTrue();
        assertThat(r.at("/floor/efficiency/ratioToFloor").isNumber()).isTrue();
        assertThat(r.at("/machine/cores").asInt()).isPositive();
        assertThat(r.at("/command").asText()).startsWith("chorus bench load --spawn-server");
        long pid = r.at("/server/pid").asLong();
        assertThat(pid).isPositive();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("server stopped").isFalse();
    }

    @Test
    void nonLoopbackTargetsAreRefused() {
        assertThatThrownBy(() -> ServerTarget.requireLoopback(URI.create("https://192.0.2.1:8443")))
                .hasMessageContaining("non-loopback");
        assertThat(LoadMain.run("load", "--url", "https://192.0.2.1:8443", "--out", out.toString())).isNotZero();
    }

    @Test
    void probePayloadSurvivesAHeaderRewrite() {
        byte[] p = Probe.packet(1200, 96, 0x1234, 7, 4242, 90_000, 123_456_789L);
        p[8] = 9; p[9] = 9; p[2] = 0; p[3] = 1; // the SFU rewrites SSRC and sequence, not the payload
        int off = Probe.payloadOffset(p);
        assertThat(off).isEqualTo(12);
        assertThat(Probe.streamId(p, off)).isEqualTo(7);
        assertThat(Probe.sequence(p, off)).isEqualTo(4242);
        assertThat(Probe.sendNanos(p, off)).isEqualTo(123_456_789L);
        p[12] = 0;
        assertThat(Probe.payloadOffset(p)).isEqualTo(-1);
    }
}
