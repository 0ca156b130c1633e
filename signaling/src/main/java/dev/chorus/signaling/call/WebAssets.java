package dev.chorus.signaling.call;

import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public web assets (unauthenticated, like health): the demo page at {@code /} and the browser SDK at
 * {@code /sdk/chorus.js}, read once from the classpath ({@code web/}). No build step: plain HTML, CSS and ES modules.
 * The page gets a Content-Security-Policy that allows only this origin's scripts and the WebSocket back to it.
 */
public final class WebAssets {
    /** URL path → classpath resource under {@code web/}. */
    public static final Map<String, String> FILES = files();

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private WebAssets() {}

    private static Map<String, String> files() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("/", "index.html");
        m.put("/demo.js", "demo.js");
        m.put("/demo.css", "demo.css");
        m.put("/sdk/chorus.js", "sdk/chorus.js");
        m.put("/media-view.js", "media-view.js"); // the who-receives-whom page's script; the page itself needs a key
        m.put("/media-view.css", "media-view.css");
        m.put("/sdk/p2p.js", "sdk/p2p.js"); // imported by chorus.js: private peer-to-peer rooms
        return m;
    }

    public static void register(Router router) {
        for (Map.Entry<String, String> e : FILES.entrySet()) {
            byte[] body = load(e.getValue());
            HttpResult r = new HttpResult(200, contentType(e.getValue()), body, Map.of());
            if (e.getValue().endsWith(".html")) r = r.withHeader("Content-Security-Policy", CSP);
            HttpResult result = r;
            router.add("GET", e.getKey(), req -> result);
        }
    }

    /** An HTML page of {@code web/} (served behind a route's own guard), with the same Content-Security-Policy. */
    public static HttpResult page(String name) {
        return new HttpResult(200, contentType(name), load(name), Map.of()).withHeader("Content-Security-Policy", CSP);
    }

    static byte[] load(String name) {
        try (InputStream in = WebAssets.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new IllegalStateException("missing web asset " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) return "text/html; charset=utf-8";
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        return "application/octet-stream";
    }
}
