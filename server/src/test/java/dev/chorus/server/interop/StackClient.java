package dev.chorus.server.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * One non-browser WebRTC stack running as a Chorus participant in its own process (a Node or Python script under
 * {@code interop/}, possibly inside a network namespace). The script prints JSON lines; the latest {@code stats}
 * line and every other event are kept for assertions. {@link #close()} ends the process and its children.
 */
final class StackClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    private final Process process;
    private final ConcurrentLinkedDeque<String> lines = new ConcurrentLinkedDeque<>();
    private volatile JsonNode stats = JSON.createObjectNode();
    private volatile String participantId;

    private StackClient(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofVirtual().name("stack-" + name).start(this::readOutput);
    }

    static StackClient start(String name, List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(Stacks.INTEROP_DIR.toFile());
        pb.environment().putAll(env);
        return new StackClient(name, pb.start());
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("{\"event\":\"stats\"")) {
                    stats = JSON.readTree(line);
                    continue;
                }
                if (lines.size() < 400) lines.add(line);
                if (line.startsWith("{\"event\":\"joined\"")) participantId = JSON.readTree(line).path("participantId").asText();
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** The participant id once joined, waiting at most {@code seconds}. */
    String awaitJoined(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (participantId == null && System.nanoTime() < deadline && process.isAlive()) {
            Thread.sleep(50); // waiting for an external process's output
        }
        if (participantId == null) throw new AssertionError(name + " did not join: " + output());
        return participantId;
    }

    /** The first output line containing every one of {@code parts}, waiting at most {@code seconds}; null if none came. */
    String awaitLine(long seconds, String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (java.util.Arrays.stream(parts).allMatch(line::contains)) return line;
            }
            if (!process.isAlive()) break;
            Thread.sleep(50); // waiting for an external process's output
        }
        return null;
    }

    /** The latest stats line. */
    JsonNode stats() { return stats; }

    /** What {@code fromParticipant}'s media looked like on arrival: {video:{frames,keyframes,invalid,…},audio:{…}}. */
    JsonNode receivedFrom(String fromParticipant) {
        return stats.path("received").path(fromParticipant);
    }

    /** Everything but the stats lines, for failure messages. */
    String output() {
        return String.join("\n", lines) + "\nlast stats: " + stats;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        Interop.stop(process, 5);
    }
}
