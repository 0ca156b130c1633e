package dev.chorus.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Chorus node as its own operating-system process ({@code java … dev.chorus.server.Main start --config FILE},
 * the test's class path), so a test can kill it for real ({@link #kill()} is SIGKILL: no shutdown hook, no
 * deregistration, sockets torn down by the kernel). Its HTTPS port is chosen before the start, because the node's
 * {@code cluster.publicUrl} names it.
 */
final class ClusterNodeProcess implements AutoCloseable {
    final String nodeId;
    final int port;
    final Path dataDir;
    final Path log;
    private final Process process;
    private final Path config;
    private final Map<String, String> env;

    private ClusterNodeProcess(String nodeId, int port, Path dataDir, Path log, Process process, Path config,
                               Map<String, String> env) {
        this.nodeId = nodeId;
        this.port = port;
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
        this.config = config;
        this.env = env;
    }

    /**
     * Starts a node from {@code config} plus {@code env} (environment overrides, docs/configuration.md) with its data
     * dir and log under {@code dir}; returns at once ({@link #awaitStarted()} waits for it).
     */
    static ClusterNodeProcess start(String nodeId, Path dir, Path config, Map<String, String> env) throws IOException {
        return start(nodeId, dir, config, env, null);
    }

    /**
     * As {@link #start(String, Path, Path, Map)}, serving {@code tlsFrom}'s certificate and key (a node's data dir)
     * instead of a new self-signed pair: one certificate for every node, as a wildcard certificate would be, so a
     * browser that accepted it on one node's page accepts it on every node's WebSocket.
     */
    static ClusterNodeProcess start(String nodeId, Path dir, Path config, Map<String, String> env, Path tlsFrom)
            throws IOException {
        int port = freePort();
        Path data = dir.resolve(nodeId);
        if (tlsFrom != null) {
            Files.createDirectories(data, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Path tls = Files.createDirectories(data.resolve("tls"));
            for (String f : List.of("cert.pem", "key.pem")) {
                Files.copy(tlsFrom.resolve("tls").resolve(f), tls.resolve(f));
            }
        }
        Path log = dir.resolve(nodeId + ".log");
        Map<String, String> nodeEnv = new java.util.HashMap<>(env);
        nodeEnv.put("CHORUS_DATA_DIR", data.toString());
        nodeEnv.put("CHORUS_HTTP_PORT", Integer.toString(port));
        nodeEnv.put("CHORUS_CLUSTER_NODE_ID", nodeId);
        nodeEnv.put("CHORUS_CLUSTER_PUBLIC_URL", "https://127.0.0.1:" + port);
        ProcessBuilder pb = main(nodeEnv, "start", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        return new ClusterNodeProcess(nodeId, port, data, log, pb.start(), config, Map.copyOf(nodeEnv));
    }

    /** {@code java … dev.chorus.server.Main args} on the test's class path with {@code env} added. */
    private static ProcessBuilder main(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small heaps, serial GC, C1 only: three nodes and a browser share a 2-core machine
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.chorus.server.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return pb;
    }

    /** A command's exit code and its output (stdout and stderr together). */
    record CliResult(int code, String output) {}

    /**
     * Runs {@code chorus <args> --config <this node's config>} as this node's operator would on its host: the same
     * configuration file and environment (data dir, node id, store), in a process of its own. Bounded to 120 s.
     */
    CliResult cli(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        Process p = main(env, all.toArray(String[]::new)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(nodeId + ": chorus " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new CliResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Waits for the start banner; returns the node's output so far. */
    String awaitStarted() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < end && process.isAlive()) {
            String out = output();
            if (out.contains("Data directory")) return out;
            Thread.sleep(100);
        }
        throw new AssertionError(nodeId + " did not start (alive=" + process.isAlive() + "):\n" + output());
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: the process gets no chance to deregister or close anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (a clean stop), then SIGKILL if it is still running after 10 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
