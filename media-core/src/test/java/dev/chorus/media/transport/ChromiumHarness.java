package dev.chorus.media.transport;

import com.sun.net.httpserver.HttpExchange;
import dev.chorus.common.testing.RequiredTool;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for tests (the one harness of the project; reusable through media-core's test-jar), driven by
 * Selenium through the Debian chromedriver (paths set explicitly, so Selenium Manager never downloads anything),
 * with the flags from REAL-CLIENTS.md: fake camera and microphone, loopback ICE candidates, a fresh profile.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>{@link #start(String)} / {@link #ChromiumHarness(String, Map)} + {@link #open()}: the harness serves a page
 *       at {@code /} on 127.0.0.1 (a secure context, so getUserMedia works), answers the page's POSTs with handlers
 *       and records each as {@code "/path body"} ({@link #events()});</li>
 *   <li>{@link #browse(String)}: opens a URL of a real server (self-signed HTTPS accepted) and drives it with
 *       scripts, in one or more tabs ({@link #newTab}).</li>
 * </ul>
 */
public final class ChromiumHarness implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final HttpServer http;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Path profileDir;
    private org.openqa.selenium.remote.RemoteWebDriver driver;
    /** chromedriver started by {@link #browseIn} (inside a network namespace), or null. */
    private Process driverProcess;

    /** True if both Chromium and chromedriver are installed (tests assume this, CI installs them). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Requires Chromium and chromedriver: a test without them skips on a developer machine and fails under CI. */
    public static void require() {
        RequiredTool.requireExecutables("chromium and chromium-driver (apt-get install chromium chromium-driver)",
                CHROMIUM, CHROMEDRIVER);
    }

    /** Starts Chromium on a page served at {@code /} by the harness. */
    public static ChromiumHarness start(String html) throws IOException {
        ChromiumHarness h = new ChromiumHarness(html, Map.of());
        h.open();
        return h;
    }

    /** Starts Chromium on {@code url} (e.g. a real Chorus server with a self-signed certificate). */
    public static ChromiumHarness browse(String url) throws IOException {
        ChromiumHarness h = new ChromiumHarness(null, Map.of());
        h.launch(url, true);
        return h;
    }

    /**
     * Starts Chromium on {@code url} from inside a network namespace (a test's faulty link): chromedriver runs under
     * {@code execPrefix} (e.g. {@code ip netns exec NAME}) listening on {@code driverHost}, the namespace's address
     * that the test reaches over the veth pair, and accepts connections from {@code clientAddress} only.
     */
    public static ChromiumHarness browseIn(List<String> execPrefix, String driverHost, String clientAddress, String url)
            throws IOException {
        ChromiumHarness h = new ChromiumHarness(null, Map.of());
        int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20000);
        List<String> cmd = new ArrayList<>(execPrefix);
        cmd.addAll(List.of(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=" + clientAddress));
        h.driverProcess = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.net.URL driverUrl = java.net.URI.create("http://" + driverHost + ":" + port).toURL();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try {
                    java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI
                            .create(driverUrl + "/status").toURL().openConnection();
                    c.setConnectTimeout(500);
                    c.setReadTimeout(1000);
                    if (c.getResponseCode() == 200) break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline || !h.driverProcess.isAlive()) {
                        throw new IOException("chromedriver in the namespace did not start", notYet);
                    }
                }
                Thread.sleep(100); // waiting for an external process to listen
            }
            h.launch(url, true, driverUrl);
            return h;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            h.close();
            throw new IOException("interrupted", e);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /**
     * Serves {@code html} at {@code /} (Chromium starts with {@link #open()}).
     *
     * @param handlers POST path → body → response text (null answers 204); every POST is recorded in {@link #events()}
     */
    public ChromiumHarness(String html, Map<String, UnaryOperator<String>> handlers) throws IOException {
        if (html == null) {
            http = null;
            return;
        }
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (!ex.getRequestMethod().equals("POST")) {
                    if (!"/".equals(path)) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    reply(ex, "text/html; charset=utf-8", html);
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
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Starts Chromium on the served page. */
    public void open() throws IOException {
        launch(pageUrl(), false);
    }

    private void launch(String url, boolean acceptInsecureCerts) throws IOException {
        launch(url, acceptInsecureCerts, null);
    }

    private void launch(String url, boolean acceptInsecureCerts, java.net.URL remoteDriver) throws IOException {
        if (driver != null) throw new IllegalStateException("already open");
        profileDir = Files.createTempDirectory("chorus-chromium-");
        org.openqa.selenium.remote.RemoteWebDriver started = null;
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            List<String> args = new ArrayList<>(List.of(
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profileDir,
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    "--allow-loopback-in-peer-connection",
                    // several call participants share one browser: keep background tabs running at full speed
                    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows", "--autoplay-policy=no-user-gesture-required",
                    "--window-size=1280,800"));
            String extra = System.getProperty("chorus.chromium.extraArgs");
            if (extra != null && !extra.isBlank()) args.addAll(List.of(extra.trim().split("\\s+")));
            if (acceptInsecureCerts) {
                args.add("--ignore-certificate-errors");
                options.setAcceptInsecureCerts(true);
            }
            options.addArguments(args);
            if (remoteDriver != null) {
                started = new org.openqa.selenium.remote.RemoteWebDriver(remoteDriver, options);
            } else {
                ChromeDriverService service = new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .withLogOutput(OutputStream.nullOutputStream())
                        .build();
                started = new ChromeDriver(service, options);
            }
            started.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            started.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            started.get(url);
            // a server that has just bound (or a test network link just brought up) can miss the first load:
            // Chromium then shows its error page, which no later script can recover from; retry a few times
            for (int i = 0; i < 10 && String.valueOf(started.getCurrentUrl()).startsWith("chrome-error:"); i++) {
                Thread.sleep(500);
                started.get(url);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.quit();
            close();
            throw new IOException("interrupted while loading " + url, e);
        } catch (RuntimeException e) {
            if (started != null) started.quit();
            close();
            throw e;
        }
        driver = started;
    }

    public String pageUrl() {
        if (http == null) throw new IllegalStateException("no served page");
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    /** Every POST so far, as {@code "/path body"}. */
    public List<String> events() {
        return events;
    }

    /** Opens {@code url} in a new tab, which becomes the current one; returns its handle. */
    public String newTab(String url) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url);
        return driver.getWindowHandle();
    }

    /**
     * Opens {@code url} in a new tab that sends {@code headers} with every request it makes (e.g. the Authorization a
     * page behind a credential needs, as a browser resends its Basic credentials), which becomes the current one.
     */
    public String newTab(String url, Map<String, String> headers) {
        driver.switchTo().newWindow(WindowType.TAB);
        org.openqa.selenium.chromium.HasCdp cdp = (org.openqa.selenium.chromium.HasCdp) driver;
        cdp.executeCdpCommand("Network.enable", Map.of());
        cdp.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.copyOf(headers)));
        driver.get(url);
        return driver.getWindowHandle();
    }

    /** The current tab's handle. */
    public String tab() {
        return driver.getWindowHandle();
    }

    /** Makes {@code handle} the tab scripts run in. */
    public void switchTo(String handle) {
        driver.switchTo().window(handle);
    }

    /** A PNG screenshot of the current tab. */
    public byte[] screenshot() {
        return driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
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

    /** Polls {@code condition} every 50 ms for at most {@code timeoutSeconds}. */
    public static boolean await(BooleanSupplier condition, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(50); // polling an external process; no callback to wait on
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() {
        try {
            if (driver != null) driver.quit();
        } finally {
            driver = null;
            if (driverProcess != null) {
                driverProcess.destroy();
                try {
                    if (!driverProcess.waitFor(5, TimeUnit.SECONDS)) driverProcess.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    driverProcess.destroyForcibly();
                }
            }
            if (http != null) http.stop(0);
            deleteProfile();
        }
    }

    private void deleteProfile() {
        if (profileDir == null) return;
        try (Stream<Path> paths = Files.walk(profileDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }
}
