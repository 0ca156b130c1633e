package dev.chorus.server;

import dev.chorus.common.testing.RequiredTool;
import dev.chorus.media.transport.ChromiumHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/README.md's podman section, executed: a Debian base bootstrapped with mmdebstrap, a JDK image from this
 * machine's JDK, the image built from docker/Dockerfile with those build arguments, then the production first run in
 * the container (certificate, configuration, operator secret file, health check, project and key through the
 * container's {@code chorus} command, room and tokens over HTTPS), the configuration-error case (no restart loop, the
 * error printed once), and a call: two real Chromium browsers join the containerised server with the minted tokens
 * (docs/production.md's browser block) and each decodes the other's video. Then the container is stopped and the audit
 * chain on its data volume verified. Everything the test creates in podman is removed afterwards.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ContainerImageTest {
    static final Path README = Path.of("../docker/README.md");

    @Test
    void theImageBuildsFromALocalDebianBaseAndServesAProductionCall() throws Exception {
        RequiredTool.requireExecutables("podman, mmdebstrap and runc (docker/README.md; .ci/run installs them)",
                Path.of("/usr/bin/podman"), Path.of("/usr/bin/mmdebstrap"), Path.of("/usr/sbin/runc"),
                Path.of("/usr/bin/openssl"), Path.of("/usr/bin/curl"));
        ChromiumHarness.require();
        ExecutableDoc doc = ExecutableDoc.read(README, "container");
        ExecutableDoc production = ExecutableDoc.read(ProductionPathTest.DOC, "production");
        String run = doc.script("run");
        assertThat(run).contains("mmdebstrap", "podman build", "--build-arg BASE_IMAGE=", "--build-arg JDK_IMAGE=",
                "podman healthcheck run chorus", "chorus projects create", "chorus keys create", "/v1/tokens",
                "chorus: configuration error");

        Path work = Files.createTempDirectory("chorus-container-");
        Path deploy = work.resolve("deploy");
        int httpsPort = ProductionPathTest.freeTcpPort();
        Map<String, String> env = new HashMap<>();
        env.put("DEPLOY", deploy.toString());
        env.put("SFU_HOST", "localhost");
        env.put("SFU_IP", "127.0.0.1");
        env.put("SFU_HTTPS_PORT", Integer.toString(httpsPort));
        env.put("SFU_MEDIA_PORT", Integer.toString(ProductionPathTest.freeUdpPort()));
        env.put("SFU_METRICS_PORT", Integer.toString(ProductionPathTest.freeTcpPort()));
        env.put("JDK", System.getProperty("java.home"));
        env.put("CONTAINERS_CONF", containersConf(work).toString());
        Path checkout = README.toAbsolutePath().getParent().getParent().normalize();
        List<ChromiumHarness> browsers = new ArrayList<>();
        try {
            ExecutableDoc.bash(checkout, work, env, run, "the run blocks of docker/README.md", 1500,
                    () -> "\n--- container log:\n" + podman(env, "logs", "chorus"));
            ProductionPathTest.callBetweenTwoBrowsers("https://localhost:" + httpsPort + "/",
                    production.blocks("browser").getFirst().text(),
                    List.of(deploy.resolve("token-alice.json"), deploy.resolve("token-bob.json")), browsers,
                    " through the container");
            ExecutableDoc.bash(checkout, work, env, doc.script("run-after-join"), "the run-after-join block", 120,
                    () -> "");
            assertThat(Files.readString(work.resolve("bash-the-run-after-join-block.log"))).contains("OK:");
        } finally {
            for (ChromiumHarness b : browsers) b.close();
            podman(env, "rm", "-f", "-v", "-t", "5", "chorus", "chorus-broken");
            podman(env, "volume", "rm", "-f", "chorus-data");
            podman(env, "rmi", "-f", "localhost/chorus:latest", "localhost/chorus-jdk:25", "localhost/chorus-base:bookworm");
            podman(env, "image", "prune", "-f");
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Podman settings for the sandboxes the suite runs in (CI included): they lack CAP_SYS_RESOURCE, so the default
     * container ulimits cannot be applied, and mount cgroups v1, which crun refuses; runc runs there. Both settings
     * are harmless on an ordinary host.
     */
    static Path containersConf(Path work) throws Exception {
        Path conf = work.resolve("containers.conf");
        Files.writeString(conf, "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"runc\"\n");
        return conf;
    }

    static String podman(Map<String, String> env, String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/podman"));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("CONTAINERS_CONF", env.get("CONTAINERS_CONF"));
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return new String(out);
        } catch (Exception e) {
            return "podman " + String.join(" ", args) + ": " + e;
        }
    }
}
