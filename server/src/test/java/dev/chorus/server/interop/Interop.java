package dev.chorus.server.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Small process helpers shared by the interop tests. */
final class Interop {
    private Interop() {}

    /** Runs a command to completion (at most {@code timeoutSeconds}) and returns its stdout+stderr; fails on non-zero exit. */
    static String run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[][] output = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = new byte[0];
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            stop(p, 0);
            reader.join(2_000);
            throw new IOException(command + " timed out after " + timeoutSeconds + " s: " + text(output[0]));
        }
        reader.join(5_000);
        String text = text(output[0]);
        if (p.exitValue() != 0) throw new IOException(command + " exited " + p.exitValue() + ": " + text);
        return text;
    }

    /**
     * Ends a process and its children: waits {@code graceSeconds} for it to exit by itself (after the caller asked
     * it to), then kills it and its descendants.
     */
    static void stop(Process p, long graceSeconds) {
        try {
            if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
