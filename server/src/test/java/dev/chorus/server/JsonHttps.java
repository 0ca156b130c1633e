package dev.chorus.server;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** One JSON request to a test server's HTTPS port, trusting its certificate (HTTP/1.1, body optional). */
final class JsonHttps {
    private JsonHttps() {}

    static HttpResponse<String> send(SSLContext trust, int port, String method, String path, String body)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .header("Content-Type", "application/json");
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
