package dev.chorus.bench.load;

import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.SqliteStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server under test: its base URL (loopback only), the data directory it was started with (certificate, dev API
 * key secret), the dev API key id (read from the store read-only, as {@code chorus token mint} does) and its pid
 * for CPU accounting. With {@link #spawn} it starts {@code dev.chorus.server.Main start} as a child process in a
 * temporary data directory and {@link #close()} stops it and deletes the directory.
 */
public final class ServerTarget implements AutoCloseable {
    private static final Pattern URL_LINE = Pattern.compile("HTTPS \\+ WebSocket\\s+(https://\\S+)");

    private final URI baseUrl;
    private final Path dataDir;
    private final long pid;
    private final Process child;
    private final String apiKeyId;
    private final String apiSecret;
    private final SSLContext tls;
    private final List<String> childOutput;
    private final ServerLogWatch logWatch;
    private Path gcLog;

    private ServerTarget(URI baseUrl, Path dataDir, long pid, Process child, List<String> childOutput,
                         ServerLogWatch logWatch) throws IOException {
        this.baseUrl = baseUrl;
        this.logWatch = logWatch;
        this.dataDir = dataDir;
        this.pid = pid;
        this.child = child;
        this.childOutput = childOutput;
        this.apiSecret = Files.readString(dataDir.resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        this.apiKeyId = readApiKeyId(dataDir);
        this.tls = trusting(dataDir.resolve("tls/cert.pem"));
    }

    /** A server someone else started (e.g. {@code ./chorus start}); pid from the option or from the port. */
    public static ServerTarget existing(URI baseUrl, Path dataDir, Long pid) throws IOException {
        requireLoopback(baseUrl);
        long p = pid != null ? pid : ProcessCpu.pidListeningOn(port(baseUrl)).orElseThrow(() -> new IOException(
                "no process found listening on TCP port " + port(baseUrl) + " (pass --pid)"));
        return new ServerTarget(baseUrl, dataDir, p, null, List.of(), null);
    }

    /** Starts a dev-mode server as a child JVM (same class path) in a fresh temp data dir, ephemeral HTTPS port. */
    public static ServerTarget spawn(Map<String, String> extraEnv, long startTimeoutMillis) throws IOException, InterruptedException {
        return spawn(extraEnv, List.of(), startTimeoutMillis);
    }

    /**
     * {@link #spawn(Map, long)} with extra JVM options for the server (e.g. a leak detection level). The server
     * runs on the collector the container image ships with (ZGC, docker/Dockerfile's JAVA_OPTS) unless the options
     * choose one, with its heap committed and pre-touched at start as docs/configuration.md advises for a media node
     * (unless the options set {@code -Xms} or {@code AlwaysPreTouch}), and always writes a GC and safepoint log (UTC timestamps) into its temp dir: {@link #gcPauses}
     * reads it.
     */
    public static ServerTarget spawn(Map<String, String> extraEnv, List<String> jvmOptions, long startTimeoutMillis)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("chorus-bench-");
        Path data = dir.resolve("data");
        Path gc = dir.resolve("gc.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Xlog:gc,safepoint:file=" + gc + ":utctime"));
        if (jvmOptions.stream().noneMatch(o -> o.matches("-XX:\\+Use\\w+GC"))) cmd.add("-XX:+UseZGC");
        // The whole heap committed and touched at start, as docs/configuration.md advises for a media node (issue 11,
        // session 9: ZGC's fresh pages cost the worker ~6 % of its CPU in page faults otherwise; not the image's default).
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xms") || o.contains("AlwaysPreTouch"))) {
            cmd.addAll(List.of("-Xms512m", "-XX:+AlwaysPreTouch"));
        }
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", absoluteClassPath(), "dev.chorus.server.Main", "start"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("CHORUS_DATA_DIR", data.toString());
        pb.environment().put("CHORUS_HTTP_PORT", "0");
        pb.environment().put("CHORUS_MEDIA_UDP_PORT", Integer.toString(freeUdpPort()));
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        ServerLogWatch watch = new ServerLogWatch();
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("chorus-child-output").start(() -> pump(p.getInputStream(), out, watch, url));
        try {
            URI u = url.get(startTimeoutMillis, TimeUnit.MILLISECONDS);
            return new ServerTarget(u, data, p.pid(), p, out, watch).gcLog(gc);
        } catch (Exception e) {
            stop(p);
            deleteTree(dir);
            throw new IOException("the spawned server did not start: " + String.join("\n", out), e);
        }
    }

    private static void pump(InputStream in, List<String> out, ServerLogWatch watch, CompletableFuture<URI> url) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                watch.accept(line); // every line, however long the run
                if (out.size() < 2000) out.add(line);
                Matcher m = URL_LINE.matcher(line);
                if (m.find()) url.complete(URI.create(m.group(1)));
            }
        } catch (IOException ignored) {
            // child gone
        }
        url.completeExceptionally(new IOException("server exited"));
    }

    /** The child runs in the temp dir: relative class path entries must be made absolute. */
    static String absoluteClassPath() {
        StringBuilder sb = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isEmpty()) continue;
            if (!sb.isEmpty()) sb.append(java.io.File.pathSeparator);
            sb.append(Path.of(e).toAbsolutePath());
        }
        return sb.toString();
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    /** Refuses anything but a loopback target: the generator floods what it points at. */
    public static void requireLoopback(URI url) throws IOException {
        InetAddress[] all = InetAddress.getAllByName(url.getHost());
        for (InetAddress a : all) {
            if (!a.isLoopbackAddress()) {
                throw new IOException("refusing non-loopback target " + url.getHost() + " (" + a.getHostAddress() + ")");
            }
        }
    }

    static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : 443;
    }

    static String readApiKeyId(Path dataDir) throws IOException {
        // Read-only use of the store (no lock, no audit), like `chorus token mint` while a server runs.
        try (SqliteStore store = SqliteStore.open(dataDir.resolve(ControlPlane.DB_FILE))) {
            for (ProjectKey k : store.keys(DevProjectBootstrap.DEV_PROJECT_ID)) {
                if (k.algorithm() == KeyAlgorithm.HS256 && k.state().canSign()) return k.kid();
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read the dev API key id from " + dataDir, e);
        }
        throw new IOException("no active dev API key in " + dataDir);
    }

    static SSLContext trusting(Path certPem) throws IOException {
        try (InputStream in = Files.newInputStream(certPem)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("chorus", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot trust " + certPem, e);
        }
    }

    /**
     * The server's media counters ({@code chorus_sfu_*}, {@code chorus_media_*} lines of /metrics), or an empty map
     * if the endpoint is not reachable. Read twice around a window, they give the server's own forwarded count.
     */
    public Map<String, Double> mediaMetrics() {
        return metrics(List.of("chorus_sfu_", "chorus_media_"));
    }

    /** The /metrics samples whose names start with one of {@code prefixes} (labels kept in the key); empty if unreachable. */
    public Map<String, Double> metrics(List<String> prefixes) {
        Map<String, Double> m = new java.util.TreeMap<>();
        try {
            java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().sslContext(tls)
                    .connectTimeout(java.time.Duration.ofSeconds(5)).build();
            String body = c.send(java.net.http.HttpRequest.newBuilder(baseUrl.resolve("/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("#") || prefixes.stream().noneMatch(line::startsWith)) continue;
                int sp = line.lastIndexOf(' ');
                try {
                    m.put(line.substring(0, sp).replace(",}", "}"), Double.parseDouble(line.substring(sp + 1)));
                } catch (NumberFormatException ignored) {
                    // not a sample line
                }
            }
        } catch (IOException e) {
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return m;
    }

    public URI baseUrl() { return baseUrl; }
    public URI wsUrl() { return URI.create(baseUrl.toString().replaceFirst("^https://", "wss://") + "/v1/ws"); }
    public long pid() { return pid; }
    public boolean spawned() { return child != null; }
    public String apiKeyId() { return apiKeyId; }
    /** The dev API secret: used only in the Authorization header, never printed. */
    String apiSecret() { return apiSecret; }
    public SSLContext tls() { return tls; }
    public Path dataDir() { return dataDir; }
    public List<String> childOutput() { return List.copyOf(childOutput); }
    /** Leak reports, ERROR and WARN lines of a spawned server's whole output; null for a server started elsewhere. */
    ServerLogWatch logWatch() { return logWatch; }

    /** Where the server writes its GC log ({@code -Xlog:gc:file=PATH:utctime}); null when unknown. */
    public ServerTarget gcLog(Path file) {
        this.gcLog = file;
        return this;
    }

    /** Keeps a spawned server's GC log (its temp dir is deleted on close) as {@code dir/name}; no-op without one. */
    public void copyGcLog(Path dir, String name) {
        if (child == null || gcLog == null || !Files.isReadable(gcLog)) return;
        try {
            Files.createDirectories(dir);
            Files.copy(gcLog, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
            // the figures are in the report anyway
        }
    }

    /**
     * The server's stop-the-world pauses between two instants, from its log ({@link PauseLog}): GC pauses (count,
     * the largest with its kind, the sum) and the largest safepoint of any kind; {@code available=false} without a
     * log (pass {@code --gc-log} for an existing server).
     */
    public Map<String, Object> gcPauses(java.time.Instant from, java.time.Instant to) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("available", gcLog != null && Files.isReadable(gcLog));
        if (!(Boolean) m.get("available")) return m;
        m.put("log", gcLog.toString());
        try {
            m.putAll(PauseLog.summarize(Files.readAllLines(gcLog), from, to));
        } catch (IOException | RuntimeException e) {
            m.put("error", e.toString());
        }
        return m;
    }

    @Override
    public void close() {
        if (child != null) {
            stop(child);
            deleteTree(dataDir.getParent());
        }
    }

    private static void stop(Process p) {
        p.destroy(); // SIGTERM: the server's shutdown hook closes the planes
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp dir
        }
    }
}
