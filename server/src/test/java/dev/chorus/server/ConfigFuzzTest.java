package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzz harness of the configuration file reader (YAML into {@link ChorusConfig}, then validation): an operator's
 * typo must produce the listed, per-key configuration errors (exit 2), never an exception message or a crash.
 * Contract: {@link ConfigLoader#load} returns a valid configuration or throws {@link ConfigException} whose every
 * problem names a key or the file.
 */
class ConfigFuzzTest {
    private static Path file;

    @FuzzTest
    void load(byte[] yaml) {
        check(yaml);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(byte[] yaml) {
        check(yaml);
    }

    private static synchronized Path file() throws IOException {
        if (file == null) {
            file = Files.createTempFile("chorus-fuzz-", ".yaml");
            file.toFile().deleteOnExit();
        }
        return file;
    }

    static void check(byte[] yaml) {
        Path f;
        try {
            f = file();
            Files.write(f, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ChorusConfig cfg = ConfigLoader.load(f, Map.of());
            assertThat(cfg.mode()).isIn(ChorusConfig.DEV, ChorusConfig.PRODUCTION);
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).matches("(?s)(key|keys|config file|unknown key) .*"));
        }
    }
}
