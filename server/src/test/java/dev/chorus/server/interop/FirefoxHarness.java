package dev.chorus.server.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.common.testing.RequiredTool;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Firefox ESR for tests, driven through Marionette, the remote protocol built into Firefox (Debian has no
 * geckodriver package): length-prefixed JSON commands over TCP on 127.0.0.1. A fresh profile per instance with
 * fake camera and microphone, loopback ICE candidates and no network chatter; the session accepts the test
 * server's self-signed certificate. Only the three commands the tests need: new session, navigate, execute script.
 */
final class FirefoxHarness implements Browser {
    static final Path FIREFOX = Path.of("/usr/lib/firefox-esr/firefox-esr");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String PREFS = """
            user_pref("marionette.port", 0);
            user_pref("media.navigator.streams.fake", true);
            user_pref("media.navigator.permission.disabled", true);
            user_pref("media.autoplay.default", 0);
            user_pref("media.peerconnection.ice.loopback", true);
            user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);
            user_pref("browser.shell.checkDefaultBrowser", false);
            user_pref("browser.startup.homepage_override.mstone", "ignore");
            user_pref("datareporting.policy.dataSubmissionEnabled", false);
            user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
            user_pref("app.update.disabledForTesting", true);
            user_pref("network.captive-portal-service.enabled", false);
            user_pref("network.connectivity-service.enabled", false);
            user_pref("browser.safebrowsing.update.enabled", false);
            user_pref("extensions.update.enabled", false);
            user_pref("dom.min_background_timeout_value", 4);
            """;

    private final Path profile;
    private final Process process;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int nextId = 1;

    static void require() {
        RequiredTool.requireExecutables("firefox-esr (apt-get install firefox-esr)", FIREFOX);
    }

    /** The installed version, e.g. "Mozilla Firefox 153.8.0esr". */
    static String version() throws IOException, InterruptedException {
        return Interop.run(List.of(FIREFOX.toString(), "--version"), Map.of("MOZ_HEADLESS", "1"), 20).strip();
    }

    /** Starts Firefox, opens a Marionette session that accepts self-signed certificates and navigates to {@code url}. */
    static FirefoxHarness browse(String url) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chorus-firefox-");
        Files.writeString(profile.resolve("user.js"), PREFS);
        ProcessBuilder pb = new ProcessBuilder(FIREFOX.toString(), "--headless", "--marionette", "--no-remote",
                "--profile", profile.toString(), "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("firefox.log").toFile());
        pb.environment().put("MOZ_HEADLESS", "1");
        Process process = pb.start();
        try {
            // With marionette.port 0 Firefox picks a free port and writes it into the profile.
            Path portFile = profile.resolve("MarionetteActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readString(portFile).isBlank()) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IOException("Firefox did not start Marionette: " + Files.readString(profile.resolve("firefox.log")));
                }
                Thread.sleep(50); // waiting for an external process; it offers no callback
            }
            int port = Integer.parseInt(Files.readString(portFile).strip());
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(100_000); // a bound, not a wait: Firefox starts in seconds, but took over 60 s at load 40
            FirefoxHarness h = new FirefoxHarness(profile, process, socket);
            h.readMessage(); // {"applicationType":"gecko","marionetteProtocol":3}
            h.command("WebDriver:NewSession", Map.of("acceptInsecureCerts", true,
                    "timeouts", Map.of("script", 30_000, "pageLoad", 30_000, "implicit", 0)));
            h.command("WebDriver:Navigate", Map.of("url", url));
            return h;
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private FirefoxHarness(Path profile, Process process, Socket socket) throws IOException {
        this.profile = profile;
        this.process = process;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    @Override
    public Object async(String body, Object... args) {
        String script = "const done = arguments[arguments.length - 1];"
                + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
                + "(async () => { " + body + " })().then(done, e => done('ERROR: ' + e));";
        return value(command("WebDriver:ExecuteAsyncScript", Map.of("script", script, "args", List.of(args))));
    }

    @Override
    public String name() { return "firefox"; }

    private static Object value(JsonNode result) {
        JsonNode v = result.path("value");
        if (v.isTextual()) return v.asText();
        if (v.isNumber()) return v.numberValue();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNull() || v.isMissingNode()) return null;
        return v.toString();
    }

    /** Sends one command and returns its result; a Marionette error becomes an exception with Firefox's message. */
    private synchronized JsonNode command(String name, Object parameters) {
        try {
            int id = nextId++;
            byte[] body = JSON.writeValueAsBytes(List.of(0, id, name, parameters));
            out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            JsonNode reply = readMessage();
            if (!(reply instanceof ArrayNode a) || a.size() != 4 || a.get(1).asInt() != id) {
                throw new IllegalStateException("unexpected Marionette reply " + reply);
            }
            if (!a.get(2).isNull()) throw new IllegalStateException(name + " failed: " + a.get(2));
            return a.get(3);
        } catch (IOException e) {
            throw new IllegalStateException("Marionette " + name + ": " + e, e);
        }
    }

    private JsonNode readMessage() throws IOException {
        int length = 0;
        for (int digits = 0; ; digits++) {
            int c = in.read();
            if (c == ':') break;
            if (c < '0' || c > '9' || digits > 9) throw new IOException("bad Marionette frame length");
            length = length * 10 + (c - '0');
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(length);
        buf.write(in.readNBytes(length));
        if (buf.size() != length) throw new IOException("Marionette connection closed");
        return JSON.readTree(buf.toByteArray());
    }

    @Override
    public void close() {
        try {
            command("Marionette:Quit", Map.of());
        } catch (RuntimeException ignored) {
            // already gone; the process is stopped below either way
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        Interop.stop(process, 10);
        deleteTree(profile);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
