package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.ws.WsTestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "Media is never written to disk or logs" (ARCHITECTURE.md), proved on a real server process: a publisher sends
 * RTP whose payload carries a marker through a real call for 60 s to a subscriber that receives it; afterwards
 * the marker appears in no file the server can have written (its data dir, its temp dir, its log), the only
 * files that grew are the log, the audit trail and the store, the audit trail grew by whole audit lines, and the
 * bytes the process sent to storage ({@code /proc/<pid>/io} write_bytes) are a small fraction of the media it
 * relayed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NoMediaAtRestTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The marker: ASCII, so a grep of any text or binary file finds it. */
    static final byte[] MARKER = "CHORUS-MEDIA-MARKER-7d1f0c".getBytes(StandardCharsets.US_ASCII);
    static final Duration CALL = Duration.ofSeconds(60);

    @Test
    void aMarkerPayloadRelayedForAMinuteReachesNoFileAndTheServerWritesOnlyLogAuditAndStore() throws Exception {
        // on a real disk (the build directory), so the kernel counts what the process writes
        Path root = Files.createTempDirectory(Path.of("target"), "no-media-at-rest-");
        Path data = root.resolve("data");
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path log = root.resolve("server.log");
        Process server = startServer(data, tmp, log);
        try {
            String banner = awaitBanner(log, server);
            int port = group(banner, "HTTPS \\+ WebSocket\\s+https://[^\\s:]+:(\\d+)");
            InetSocketAddress media = new InetSocketAddress("127.0.0.1", group(banner, "Media \\(UDP\\)\\s+port (\\d+)"));
            SSLContext trust = TestTls.trusting(data.resolve("tls/cert.pem"));
            Map<String, Long> before = sizes(data, tmp, log);
            long writtenBefore = writeBytes(server.pid());

            long relayed = call(trust, port, media);

            Map<String, Long> after = sizes(data, tmp, log);
            long written = writeBytes(server.pid()) - writtenBefore;
            List<String> grown = new ArrayList<>();
            after.forEach((f, size) -> {
                if (size > before.getOrDefault(f, 0L)) grown.add(f);
            });
            assertThat(grown).as("files that grew during the call").allMatch(f -> f.endsWith("server.log")
                    || f.endsWith("audit.log") || f.contains("chorus.db"));
            System.out.printf("no-media-at-rest: relayed %,d marked bytes in %d s; the server wrote %,d bytes to "
                    + "storage; files grown: %s%n", relayed, CALL.toSeconds(), written, grown);
            assertThat(relayed).as("media bytes the subscriber received").isGreaterThan(2_000_000);
            assertThat(written).as("bytes the server sent to storage during the call (relayed " + relayed + ")")
                    .isLessThan(relayed / 10);
            String audit = Files.readString(data.resolve("audit.log"), StandardCharsets.UTF_8);
            assertThat(audit.lines()).allSatisfy(l -> assertThat(JSON.readTree(l).has("action")).isTrue());
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
        List<Path> containing = filesContaining(MARKER, data, tmp, log);
        assertThat(containing).as("files holding media").isEmpty();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).count()).isPositive(); // the scan looked at something
        }
    }

    /** One publisher, one subscriber, {@link #CALL} of marked RTP; returns the marked bytes the subscriber got. */
    private long call(SSLContext trust, int port, InetSocketAddress media) throws Exception {
        try (WsTestClient a = join(trust, port, "alice"); WsTestClient b = join(trust, port, "bob");
             WebRtcTestClient publisher = new WebRtcTestClient(media);
             WebRtcTestClient subscriber = new WebRtcTestClient(media)) {
            a.next("joined");
            b.next("joined");
            a.send(JSON.writeValueAsString(Map.of("type", "publish", "sdp",
                    publisher.publishOffer(List.of(new WebRtcTestClient.TestTrack("video", "0", 0x1111, 0))))));
            publisher.connect(a.next("publishAnswer").get("sdp").asText());
            String offer = b.next("subscriberOffer").get("sdp").asText();
            b.send(JSON.writeValueAsString(Map.of("type", "subscriberAnswer", "sdp", subscriber.answer(offer, false))));
            subscriber.connect(offer);
            long received = 0;
            long end = System.nanoTime() + CALL.toNanos();
            int seq = 0;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 10; i++) {
                    byte[] p = WebRtcTestClient.rtp(seq++, 0x1111, 1000);
                    for (int k = 0; k + MARKER.length <= 1000; k += 100) {
                        System.arraycopy(MARKER, 0, p, 12 + k, MARKER.length);
                    }
                    publisher.sendRtp(p);
                }
                received += drain(subscriber, 1);
                Thread.sleep(20); // about 500 packets/s: 4 Mbit/s of marked media
            }
            return received + drain(subscriber, 500);
        }
    }

    private static long drain(WebRtcTestClient subscriber, long waitMillis) throws InterruptedException {
        long n = 0;
        for (byte[] r; (r = subscriber.receiveRtp(waitMillis)) != null; ) {
            if (indexOf(r, MARKER) >= 0) n += r.length;
        }
        return n;
    }

    private static WsTestClient join(SSLContext trust, int port, String identity) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port
                        + "/dev/token")).header("Content-Type", "application/json")
                .header("Origin", "https://localhost:" + port)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("room", "rest",
                        "identity", identity)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return WsTestClient.connect(trust, port).join("rest", JSON.readTree(r.body()).get("token").asText());
    }

    private static Process startServer(Path data, Path tmp, Path log) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), "dev.chorus.server.Main", "start");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("CHORUS_DATA_DIR", data.toString());
        env.put("CHORUS_HTTP_PORT", "0");
        env.put("CHORUS_MEDIA_UDP_PORT", "0");
        env.put("CHORUS_MEDIA_BIND_ADDRESS", "127.0.0.1");
        env.put("CHORUS_MEDIA_ANNOUNCED_ADDRESSES", "127.0.0.1");
        return pb.start();
    }

    /** The dev banner (printed once the server is up). */
    private static String awaitBanner(Path log, Process server) throws Exception {
        for (int i = 0; i < 600 && server.isAlive(); i++) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (out.contains("Data directory")) return out;
            Thread.sleep(100);
        }
        throw new AssertionError("server did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    private static int group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in\n" + text).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Map<String, Long> sizes(Path... roots) throws IOException {
        Map<String, Long> m = new HashMap<>();
        for (Path r : roots) {
            if (Files.isRegularFile(r)) {
                m.put(r.toString(), Files.size(r));
                continue;
            }
            try (Stream<Path> s = Files.walk(r)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) m.put(p.toString(), Files.size(p));
            }
        }
        return m;
    }

    /** Bytes the process caused to be sent to storage so far (Linux task I/O accounting). */
    private static long writeBytes(long pid) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Files.newInputStream(Path.of("/proc", Long.toString(pid), "io")), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("write_bytes:")) return Long.parseLong(line.substring(12).trim());
            }
        }
        throw new AssertionError("no write_bytes in /proc/" + pid + "/io");
    }

    private static List<Path> filesContaining(byte[] marker, Path... roots) throws IOException {
        List<Path> hits = new ArrayList<>();
        for (Path r : roots) {
            try (Stream<Path> s = Files.walk(r)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    if (indexOf(Files.readAllBytes(p), marker) >= 0) hits.add(p);
                }
            }
        }
        return hits;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
