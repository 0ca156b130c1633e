package dev.chorus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A document whose fenced blocks are run by a test: each block carries a marker {@code <!-- NAME-test: KIND -->}
 * (e.g. {@code run}, {@code browser}, {@code skip (why)}), so the commands a reader copies are exactly the commands the
 * test runs. Used by docs/production.md ({@link ProductionPathTest}) and docker/README.md ({@link ContainerImageTest}).
 */
final class ExecutableDoc {
    record Block(String kind, String language, String text) {}

    private final List<Block> blocks;

    private ExecutableDoc(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * The marked blocks of {@code doc} from the first marker named {@code marker} on (a document may have a
     * non-executable preamble); every fenced block after it must carry a marker, or this fails.
     */
    static ExecutableDoc read(Path doc, String marker) throws IOException {
        String text = Files.readString(doc);
        int start = text.indexOf("<!-- " + marker + "-test:");
        assertThat(start).as(doc + " has blocks marked " + marker + "-test").isGreaterThanOrEqualTo(0);
        text = text.substring(start);
        Pattern block = Pattern.compile("<!-- " + Pattern.quote(marker)
                + "-test: (run|run-after-join|browser|skip[^>]*) -->\\s*\\n```(sh|js)\\n(.*?)\\n```", Pattern.DOTALL);
        List<Block> out = new ArrayList<>();
        Matcher m = block.matcher(text);
        while (m.find()) out.add(new Block(m.group(1).startsWith("skip") ? "skip" : m.group(1), m.group(2), m.group(3)));
        long fences = text.lines().filter(l -> l.startsWith("```") && l.length() > 3).count();
        assertThat(out).as("every fenced block of " + doc + " carries a " + marker + "-test marker").hasSize((int) fences);
        return new ExecutableDoc(out);
    }

    List<Block> blocks() {
        return blocks;
    }

    List<Block> blocks(String kind) {
        return blocks.stream().filter(b -> b.kind().equals(kind)).toList();
    }

    /** The blocks of one kind as one bash script that stops at the first failing command. */
    String script(String kind) {
        StringBuilder sb = new StringBuilder("set -euo pipefail\n");
        for (Block b : blocks(kind)) {
            assertThat(b.language()).as("a " + kind + " block is a shell block").isEqualTo("sh");
            sb.append(b.text()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Runs {@code script} with bash in {@code dir} and {@code env}, its output to a log in {@code logDir}; fails with
     * that output (and {@code context()}, e.g. the server's log) if it fails or outlives {@code timeoutSeconds}.
     */
    static void bash(Path dir, Path logDir, Map<String, String> env, String script, String what, long timeoutSeconds,
                     java.util.function.Supplier<String> context) throws Exception {
        Path log = logDir.resolve("bash-" + what.replaceAll("[^a-z0-9]+", "-") + ".log");
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", script).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) { // the whole tree: a timed-out build or server must not outlive the test
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(done && p.exitValue() == 0)
                .as(what + (done ? " failed" : " timed out after " + timeoutSeconds + " s") + ":\n" + out + context.get())
                .isTrue();
    }
}
