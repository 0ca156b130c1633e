package dev.chorus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.common.testing.RequiredTool;
import dev.chorus.media.transport.ChromiumHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/production.md, executed: the blocks it marks {@code run} go to bash in a fresh directory holding the real
 * {@code ./chorus} launcher (certificate from the CA the doc's first block creates, configuration, operator init,
 * project, scoped key, production start, room, two join tokens over HTTPS with curl); the {@code browser} block
 * runs in two real Chromium browsers, one per token, and each must decode the other's video; then the
 * {@code run-after-join} blocks (stop, audit verify) run. The test supplies only the step-0 variables (loopback
 * and free ports) and {@code CHORUS_CLASSPATH} (the launcher runs the CLI from the build's classes instead of the
 * jar, which does not exist yet during the build).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProductionPathTest {
    static final Path DOC = Path.of("../docs/production.md");
    @Test
    void theDocumentedProductionPathEndsInACallBetweenTwoChromiumBrowsers() throws Exception {
        ChromiumHarness.require();
        RequiredTool.requireExecutables("openssl and curl (docs/production.md)", Path.of("/usr/bin/openssl"),
                Path.of("/usr/bin/curl"));
        ExecutableDoc doc = ExecutableDoc.read(DOC, "production");
        String setup = doc.script("run");
        String afterJoin = doc.script("run-after-join");
        List<ExecutableDoc.Block> browser = doc.blocks("browser");
        assertThat(setup).contains("openssl", "./chorus admin init", "./chorus projects create", "./chorus keys create",
                "./chorus start", "/v1/tokens");
        assertThat(browser).hasSize(1);

        Path work = Files.createTempDirectory("chorus-prodpath-");
        Files.createSymbolicLink(work.resolve("chorus"), Path.of("..", "chorus").toAbsolutePath().normalize());
        int httpsPort = freeTcpPort();
        Map<String, String> env = new HashMap<>();
        env.put("SFU_HOST", "localhost");
        env.put("SFU_IP", "127.0.0.1");
        env.put("SFU_BIND", "127.0.0.1");
        env.put("SFU_HTTPS_PORT", Integer.toString(httpsPort));
        env.put("SFU_MEDIA_PORT", Integer.toString(freeUdpPort()));
        env.put("CHORUS_CLASSPATH", System.getProperty("java.class.path"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        List<ChromiumHarness> browsers = new ArrayList<>();
        try {
            bash(work, env, setup, "setup (steps 1-6)");
            callBetweenTwoBrowsers("https://localhost:" + httpsPort + "/", browser.getFirst().text(),
                    List.of(work.resolve("prod/token-alice.json"), work.resolve("prod/token-bob.json")), browsers, "");
            bash(work, env, afterJoin, "step 8 (stop, audit verify)");
            assertThat(serverProcess(work)).as("the server stopped").isEmpty();
            assertThat(Files.readString(work.resolve("prod/data/audit.log")))
                    .contains("operator.init", "project.create", "key.create", "room.create", "token.mint", "\"join\"")
                    .doesNotContain(Files.readString(work.resolve("prod/admin-secret")).strip())
                    .doesNotContain(Files.readString(work.resolve("prod/acme-api-secret")).strip());
        } finally {
            for (ChromiumHarness b : browsers) b.close();
            serverProcess(work).ifPresent(p -> { // the server this test started, if a step failed before stop
                p.destroy();
                p.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(t -> null).join();
            });
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * One real Chromium per token file (the {@code token} field of what the mint API answered) runs the doc's
     * browser block against {@code url}; each must then decode the other's video within 45 s. The browsers are added
     * to {@code browsers} (the caller closes them).
     */
    static void callBetweenTwoBrowsers(String url, String browserBlock, List<Path> tokenFiles,
                                       List<ChromiumHarness> browsers, String where) throws Exception {
        List<String> ids = new ArrayList<>();
        for (Path tokenFile : tokenFiles) {
            String token = new ObjectMapper().readTree(tokenFile.toFile()).path("token").asText();
            assertThat(token).as("token in " + tokenFile.getFileName()).startsWith("ey");
            ChromiumHarness b = ChromiumHarness.browse(url);
            browsers.add(b);
            Object id = b.async("const token = args[0];\n" + browserBlock
                    + "\nwindow.__call = call; return call.participantId;", token);
            assertThat(String.valueOf(id)).as("join with " + tokenFile.getFileName()).startsWith("p_");
            ids.add((String) id);
        }
        for (int i = 0; i < ids.size(); i++) {
            ChromiumHarness b = browsers.get(browsers.size() - ids.size() + i);
            String other = ids.get(ids.size() - 1 - i);
            boolean decoding = ChromiumHarness.await(() -> framesFrom(b, other) > 0, 45);
            assertThat(decoding).as(ids.get(i) + " decodes video from " + other + where + ": "
                    + b.async("return JSON.stringify(await window.__call.stats());")).isTrue();
        }
    }

    /** Frames decoded from {@code participant}'s video, from the SDK's stats in that browser. */
    static long framesFrom(ChromiumHarness b, String participant) {
        Object r = b.async("const s = await window.__call.stats(); let n = 0;"
                + "for (const x of s.inbound) if (x.participantId === args[0] && x.kind === 'video') n += x.framesDecoded || 0;"
                + "return n;", participant);
        return r instanceof Number n ? n.longValue() : 0;
    }

    static void bash(Path work, Map<String, String> env, String script, String what) throws Exception {
        ExecutableDoc.bash(work, work, env, script, what + " of docs/production.md", 150, () -> {
            try {
                Path log = work.resolve("prod/chorus.log");
                return Files.exists(log) ? "\n--- prod/chorus.log:\n" + Files.readString(log) : "";
            } catch (IOException e) {
                return "";
            }
        });
    }

    static java.util.Optional<ProcessHandle> serverProcess(Path work) {
        try {
            Path pid = work.resolve("prod/chorus.pid");
            if (!Files.exists(pid)) return java.util.Optional.empty();
            return ProcessHandle.of(Long.parseLong(Files.readString(pid, StandardCharsets.US_ASCII).strip()))
                    .filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void everyBlockOfTheDocIsMarkedAndTheMarkedStepsCoverThePath() throws Exception {
        assertThat(ExecutableDoc.read(DOC, "production").blocks()).extracting(ExecutableDoc.Block::kind).contains("run", "browser", "run-after-join", "skip");
    }
}
