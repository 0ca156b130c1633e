package dev.chorus.media.ice;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Test helper: serves one page on 127.0.0.1 to headless Chromium (REAL-CLIENTS.md flags), answers the page's POSTs
 * with handlers, records every POST as {@code "/path body"}, and runs a bounded ICE loop on a loopback UDP socket
 * through a {@link StunRouter}. Reusable by other modules' tests via the media-core test-jar.
 */
public final class ChromiumHarness implements AutoCloseable {
    /** Where Debian installs Chromium. */
    public static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");

    private final HttpServer http;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Process chrome;
    private Path profile;

    /** True if Chromium is installed (tests assume it). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM);
    }

    /**
     * @param html the page served at {@code /}
     * @param handlers POST path → body → response text (null answers 204); every POST is recorded in {@link #events()}
     */
    public ChromiumHarness(String html, Map<String, UnaryOperator<String>> handlers) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (!ex.getRequestMethod().equals("POST")) {
                    reply(ex, "text/html", html);
                    return;
                }
                String body = new String(ex.getRequestBody().readNBytes(256 * 1024), StandardCharsets.UTF_8);
                events.add(path + " " + body);
                UnaryOperator<String> h = handlers.get(path);
                String response = null;
                try {
                    response = h == null ? null : h.apply(body);
                } catch (RuntimeException e) {
                    events.add("handler " + path + " failed: " + e);
                }
                if (response == null) {
                    ex.sendResponseHeaders(204, -1);
                } else {
                    reply(ex, "text/plain", response);
                }
            }
        });
        http.start();
    }

    private static void reply(HttpExchange ex, String type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    /** Starts Chromium on the page. */
    public void open() throws IOException {
        profile = Files.createTempDirectory("chorus-chromium");
        chrome = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
                "http://127.0.0.1:" + http.getAddress().getPort() + "/")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Every POST so far, as {@code "/path body"}. */
    public List<String> events() {
        return events;
    }

    /** What the ICE loop saw. */
    public record IceOutcome(int responses, InetSocketAddress dtlsFrom) {}

    /**
     * Receives on {@code udp} until {@code done} holds or {@code timeoutSeconds} pass: STUN goes through the router
     * (responses sent back), and the first DTLS record from a 5-tuple the router validated is noted.
     */
    public static IceOutcome runIce(DatagramSocket udp, StunRouter router, long timeoutSeconds,
                                    java.util.function.Predicate<IceOutcome> done) throws IOException {
        byte[] rx = new byte[2048];
        DatagramPacket dp = new DatagramPacket(rx, rx.length);
        ByteBuf out = Unpooled.buffer(512);
        udp.setSoTimeout(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int responses = 0;
        InetSocketAddress dtlsFrom = null;
        while (System.nanoTime() < deadline && !done.test(new IceOutcome(responses, dtlsFrom))) {
            try {
                udp.receive(dp);
            } catch (SocketTimeoutException e) {
                continue;
            }
            InetSocketAddress from = (InetSocketAddress) dp.getSocketAddress();
            int first = rx[0] & 0xFF;
            if (first <= 3) {
                out.clear();
                IceCheckResult r = router.handle(Unpooled.wrappedBuffer(rx, 0, dp.getLength()), from, System.nanoTime(), out);
                if (r == IceCheckResult.RESPONDED || r == IceCheckResult.ROLE_CONFLICT) {
                    responses++;
                    byte[] tx = new byte[out.readableBytes()];
                    out.readBytes(tx);
                    udp.send(new DatagramPacket(tx, tx.length, from));
                }
            } else if (first >= 20 && first <= 63 && dtlsFrom == null && router.agentFor(from) != null) {
                dtlsFrom = from;
            }
        }
        out.release();
        return new IceOutcome(responses, dtlsFrom);
    }

    /** Polls {@code condition} every 50 ms for at most {@code timeoutSeconds}. */
    public static boolean await(BooleanSupplier condition, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50); // polling an external process; no callback to wait on
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        if (chrome != null) {
            chrome.destroy();
            try {
                if (!chrome.waitFor(10, TimeUnit.SECONDS)) {
                    chrome.destroyForcibly();
                }
            } catch (InterruptedException e) {
                chrome.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        http.stop(0);
        if (profile != null) {
            try (Stream<Path> s = Files.walk(profile)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort cleanup of a temp profile
            }
        }
    }
}
