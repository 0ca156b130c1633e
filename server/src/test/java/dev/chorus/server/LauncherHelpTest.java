package dev.chorus.server;

import dev.chorus.common.testing.RequiredTool;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./chorus --help}: the launcher's own commands, then every CLI command. */
class LauncherHelpTest {
    @Test
    void helpListsTheLaunchersCommandsAndTheClis() throws Exception {
        RequiredTool.requireExecutables("bash", Path.of("/bin/bash"));
        Path launcher = Path.of("..", "chorus").toAbsolutePath().normalize();
        assertThat(launcher).exists();
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", launcher.toString(), "--help").redirectErrorStream(true);
        pb.environment().put("CHORUS_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Launcher commands", "  test ", "  build ", "  bench <load|storm|floor>", "bench jmh");
        for (String cli : new String[] {"start", "status", "stop", "admin", "projects", "keys", "token", "audit"}) {
            assertThat(out).containsPattern("(?m)^  " + cli + "\\b");
        }
        assertThat(Files.readString(launcher)).contains("launcher_help");
    }
}
