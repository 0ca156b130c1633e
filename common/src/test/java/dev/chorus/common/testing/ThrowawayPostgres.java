package dev.chorus.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real, throwaway PostgreSQL server for tests: {@code initdb} into a fresh temporary directory, started with
 * {@code pg_ctl} on a free loopback port (TCP only, no Unix socket), password authentication (SCRAM) for one
 * superuser, stopped and deleted by {@link #close()} (and by a shutdown hook if a test forgets).
 *
 * <p>It uses the Debian {@code postgresql} package's binaries ({@code /usr/lib/postgresql/<major>/bin}, or
 * {@code initdb} on the PATH); when they are missing the test skips on a developer machine and fails under CI
 * ({@link RequiredTool}). {@code initdb} refuses to run as root, so as root the server runs as the {@code postgres}
 * account the package creates (via {@code runuser}).
 *
 * <p>Durability is traded for speed ({@code fsync=off}): the server is thrown away with the test. {@link #stop()}
 * and {@link #startAgain()} let a test take the database away and bring it back on the same port and data.
 *
 * <pre>{@code
 * try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
 *     String url = pg.createDatabase("contract");   // jdbc:postgresql://127.0.0.1:<port>/contract
 *     connect(url, pg.user(), pg.password());
 * }
 * }</pre>
 *
 * The API above (start, jdbcUrl, createDatabase, user, password, passwordFile, host, port, stop,
 * startAgain, isRunning, close) is shared by the store and cluster tests: extend it, do not change it.
 */
public final class ThrowawayPostgres implements AutoCloseable {
    private static final Pattern DB_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final String OS_USER = "postgres";
    private static final Path PACKAGE_ROOT = Path.of("/usr/lib/postgresql");
    private static final long COMMAND_TIMEOUT_S = 60;

    private final Path bin;
    private final Path dir;
    private final Path dataDir;
    private final Path log;
    private final Path passwordFile;
    private final String password;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private volatile boolean running;

    private ThrowawayPostgres(Path bin, Path dir, int port, String password, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.log = dir.resolve("postgres.log");
        this.passwordFile = dir.resolve("password");
        this.password = password;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::stopQuietly, "throwaway-postgres-stop");
    }

    /** The directory holding {@code initdb}, {@code pg_ctl}, {@code createdb}, or null when PostgreSQL is absent. */
    public static Path binDir() {
        if (Files.isDirectory(PACKAGE_ROOT)) {
            try (Stream<Path> versions = Files.list(PACKAGE_ROOT)) {
                Path best = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparingInt(ThrowawayPostgres::majorOf)).orElse(null);
                if (best != null) {
                    return best;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "initdb")) && Files.isExecutable(Path.of(p, "pg_ctl"))) {
                return Path.of(p);
            }
        }
        return null;
    }

    /**
     * Creates and starts a fresh server (skips or, under CI, fails the calling test when PostgreSQL is not
     * installed). The server has one database, {@code chorus}, owned by {@link #user()}.
     */
    public static ThrowawayPostgres start() {
        Path bin = binDir();
        RequiredTool.require(bin != null, "PostgreSQL server binaries initdb and pg_ctl (apt-get install postgresql)");
        boolean root = "root".equals(System.getProperty("user.name"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probe and bind
            Path dir = null;
            try {
                dir = Files.createTempDirectory("chorus-pg-");
                String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
                ThrowawayPostgres pg = new ThrowawayPostgres(bin, dir, freePort(), password, root);
                pg.initdb();
                pg.launch();
                pg.createDatabase("chorus");
                return pg;
            } catch (IOException e) {
                last = e;
                if (dir != null) {
                    deleteTree(dir);
                }
            }
        }
        throw new IllegalStateException("could not start a throwaway PostgreSQL", last);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The superuser every test connects as. */
    public String user() {
        return "chorus";
    }

    public String password() {
        return password;
    }

    /** A file holding {@link #password()} (what {@code store.passwordFile} points at), mode 0600. */
    public Path passwordFile() {
        return passwordFile;
    }

    /** JDBC URL of the {@code chorus} database. */
    public String jdbcUrl() {
        return jdbcUrl("chorus");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /**
     * Creates an empty database (so tests sharing one server stay apart) and returns its JDBC URL.
     *
     * @param name lowercase letters, digits and '_', starting with a letter
     */
    public String createDatabase(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DB_NAME);
        }
        try {
            runClient(List.of(bin.resolve("createdb").toString(), "-h", host(), "-p", Integer.toString(port), "-U",
                    user(), name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jdbcUrl(name);
    }

    /** Starts the server again after {@link #stop()} (same port, same data). Waits until it accepts connections. */
    public synchronized void startAgain() {
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void launch() throws IOException {
        if (running) {
            return;
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "start", "-w", "-t", "60", "-D", dataDir.toString(), "-l",
                log.toString(), "-o", "-c listen_addresses=127.0.0.1 -c port=" + port
                        + " -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB"), true);
        running = true;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Stops the server (fast shutdown: open connections are cut), keeping its data for {@link #startAgain()}. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-w", "-m", "fast", "-D", dataDir.toString()), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = false;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook itself is stopping us
        }
    }

    public boolean isRunning() {
        return running;
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stopQuietly();
        deleteTree(dir);
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            // best effort on the way out; the directory is deleted next
        }
    }

    private void initdb() throws IOException {
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        if (asPostgresUser) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
            Files.setOwner(dir, owner);
            Files.setOwner(passwordFile, owner);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", user(), "--pwfile="
                + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"), true);
        if (asPostgresUser) {
            // the server runs as postgres; the test process (root) still reads the password file
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private void runClient(List<String> command) throws IOException {
        run(command, false);
    }

    /** Runs a PostgreSQL command (as the postgres account when {@code asServer} and we are root). */
    private void run(List<String> command, boolean asServer) throws IOException {
        List<String> full = new ArrayList<>();
        if (asServer && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PGPASSWORD", password);
        env.put("LC_ALL", "C");
        Path out = Files.createTempFile("chorus-pg-cmd-", ".out");
        try {
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted running " + command.getFirst(), e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException(Path.of(command.getFirst()).getFileName() + " timed out" + logTail());
            }
            if (p.exitValue() != 0) {
                throw new IOException(Path.of(command.getFirst()).getFileName() + " exited " + p.exitValue() + ": "
                        + Files.readString(out).strip() + logTail());
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private String logTail() {
        try {
            if (Files.isReadable(log)) {
                List<String> lines = Files.readAllLines(log);
                return "\nserver log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            }
        } catch (IOException e) {
            // no log to show
        }
        return "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int majorOf(Path binDir) {
        try {
            return Integer.parseInt(binDir.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the OS's temp cleanup
                }
            });
        } catch (IOException e) {
            // left for the OS's temp cleanup
        }
    }
}
