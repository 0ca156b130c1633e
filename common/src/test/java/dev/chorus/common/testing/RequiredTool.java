package dev.chorus.common.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one rule for tests that need a tool outside the JVM (a browser, a WebRTC stack, a database server):
 * on a developer machine a missing tool skips the test with the reason; under CI ({@code CI=true}, where
 * {@code .ci/run} installs every tool) it fails the test, so a missing install step can never pass silently.
 */
public final class RequiredTool {
    private RequiredTool() {}

    /** True when running under CI (the environment variable {@code CI} is {@code true}). */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Requires {@code present}: otherwise skips the test (developer machine) or fails it (CI).
     *
     * @param what what is missing and how to get it, e.g. "chromium and chromium-driver (apt-get install ...)"
     */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = "required tool missing: " + what;
        if (underCi()) {
            fail(message + " (CI installs it in .ci/run; a missing tool fails under CI)");
        }
        assumeTrue(false, message);
    }

    /** Requires every path to be an executable file. */
    public static void requireExecutables(String what, Path... executables) {
        boolean all = true;
        for (Path p : executables) {
            all &= Files.isExecutable(p);
        }
        require(all, what);
    }
}
