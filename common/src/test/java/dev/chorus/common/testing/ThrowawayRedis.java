package dev.chorus.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, throwaway Redis server for tests: the Debian {@code redis-server} binary in a fresh temporary directory,
 * listening on a free loopback port only (no persistence, no Unix socket), stopped and deleted by {@link #close()}.
 * {@link #stop()} and {@link #startAgain()} let a test take the server away and bring it back on the same port.
 * When the binary is missing the test skips on a developer machine and fails under CI ({@link RequiredTool}).
 */
public final class ThrowawayRedis implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final Path dir;
    private final int port;
    private final Thread shutdownHook;
    private volatile Process process;

    private ThrowawayRedis(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "throwaway-redis-stop");
    }

    public static ThrowawayRedis start() {
        RequiredTool.requireExecutables("Redis server (apt-get install redis-server)", BINARY);
        try {
            ThrowawayRedis r = new ThrowawayRedis(Files.createTempDirectory("chorus-redis-"), freePort());
            Runtime.getRuntime().addShutdownHook(r.shutdownHook);
            r.startAgain();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Starts the server (again, on the same port) and waits until it accepts connections (at most 10 s). */
    public synchronized void startAgain() {
        if (isRunning()) return;
        List<String> cmd = List.of(BINARY.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "yes", "--unixsocket", "", "--logfile", dir.resolve("redis.log").toString());
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            throw new IllegalStateException("redis-server did not accept connections on port " + port + " in 10 s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills the server (SIGKILL: connected clients see the connection drop, as in a crash). */
    public synchronized void stop() {
        Process p = process;
        if (p == null) return;
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
