package dev.chorus.media.transport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for tests, driven by Selenium through the Debian chromedriver (paths set explicitly, so
 * Selenium Manager never downloads anything), with the flags from REAL-CLIENTS.md: fake camera and microphone,
 * loopback ICE candidates, a fresh profile. Pages are served by a tiny HTTP server on 127.0.0.1, which is a secure
 * context, so getUserMedia works. Reusable through media-core's test-jar.
 */
public final class ChromiumHarness implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final Path profileDir;
    private final HttpServer http;
    private final ChromeDriver driver;

    /** True if both Chromium and chromedriver are installed (tests assume this, CI installs them). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Starts Chromium and an HTTP server that serves {@code html} at {@code /}. */
    public static ChromiumHarness start(String html) throws IOException {
        return new ChromiumHarness(html);
    }

    private ChromiumHarness(String html) throws IOException {
        profileDir = Files.createTempDirectory("chorus-chromium-");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        byte[] page = html.getBytes(StandardCharsets.UTF_8);
        http.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                if (!"/".equals(exchange.getRequestURI().getPath())) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                out.write(page);
            }
        });
        http.start();
        ChromeDriver started = null;
        try {
            System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .withLogOutput(OutputStream.nullOutputStream())
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments(List.of(
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profileDir,
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    "--allow-loopback-in-peer-connection"));
            started = new ChromeDriver(service, options);
            started.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            started.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            started.get(pageUrl());
        } catch (RuntimeException e) {
            if (started != null) started.quit();
            http.stop(0);
            deleteProfile();
            throw e;
        }
        driver = started;
    }

    public String pageUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    /** Runs an async script body: {@code done} is the callback to call with the result. */
    public Object async(String body, Object... args) {
        String script = "const done = arguments[arguments.length - 1];"
                + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
                + "(async () => { " + body + " })().then(done, e => done('ERROR: ' + e));";
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Runs a synchronous script and returns its result. */
    public Object eval(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            http.stop(0);
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (Stream<Path> paths = Files.walk(profileDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
