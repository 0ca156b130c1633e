package dev.chorus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.sfu.MediaRights;
import dev.chorus.media.sfu.SfuPeer;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.media.transport.WebRtcTestClient.TestTrack;
import dev.chorus.signaling.http.TestTls;
import dev.chorus.signaling.ws.WsTestClient;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real dev server (TURN on, every listener on an ephemeral loopback port) after a little traffic of every kind the
 * metrics describe: HTTP requests, a participant joined over the WebSocket, and a publisher whose SRTP reaches a
 * subscriber through the server's media port (real ICE, DTLS and SRTP by the Java test clients). Then {@link #scrape}.
 */
final class LiveMetricsServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int PACKETS = 60;

    final ChorusServer server;
    private final SSLContext trust;

    private LiveMetricsServer(ChorusServer server, SSLContext trust) {
        this.server = server;
        this.trust = trust;
    }

    static LiveMetricsServer startWithTraffic(Path tmp) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("CHORUS_DATA_DIR", tmp.resolve("data").toString(),
                "CHORUS_HTTP_PORT", "0", "CHORUS_MEDIA_UDP_PORT", "0", "CHORUS_MEDIA_WORKERS", "1",
                "CHORUS_TURN_ENABLED", "true", "CHORUS_TURN_UDP_PORT", "0", "CHORUS_TURN_TCP_PORT", "0",
                "CHORUS_METRICS_PORT", "0"));
        ChorusServer server = ChorusServer.start(ConfigLoader.load(null, env),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        LiveMetricsServer live = new LiveMetricsServer(server, TestTls.trusting(tmp.resolve("data/tls/cert.pem")));
        try {
            live.traffic();
        } catch (Exception | AssertionError e) {
            live.close();
            throw e;
        }
        return live;
    }

    private void traffic() throws Exception {
        HttpResponse<String> r = https("POST", "/dev/token", "{\"room\":\"metrics\",\"identity\":\"alice\"}");
        if (r.statusCode() != 200) throw new AssertionError("dev token: " + r.body());
        String token = JSON.readTree(r.body()).get("token").asText();
        try (WsTestClient ws = WsTestClient.connect(trust, server.port()).join("metrics", token)) {
            String joined = ws.next();
            if (joined == null || !joined.contains("\"joined\"")) throw new AssertionError("no joined: " + joined);
        }
        try (SfuPeer pub = SfuPeer.join(server.sfu(), "media", "pub", MediaRights.all());
             SfuPeer sub = SfuPeer.join(server.sfu(), "media", "sub", MediaRights.all())) {
            pub.publish(List.of(new TestTrack("video", "v", 0x1111_0001L, 0x1111_0002L)));
            sub.acceptOffer(true);
            for (int i = 0; i < PACKETS; i++) pub.publisher.sendRtp(WebRtcTestClient.rtp(i, 0x1111_0001, 200));
            for (int i = 0; i < PACKETS; i++) {
                if (sub.subscriber.receiveRtp(5000) == null) throw new AssertionError("subscriber got " + i + " packets");
            }
        }
    }

    HttpResponse<String> https(String method, String path, String body) throws Exception {
        return JsonHttps.send(trust, server.port(), method, path, body);
    }

    /** The Prometheus exposition from the private metrics listener. */
    String scrape() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("/metrics answered " + r.statusCode());
        return r.body();
    }

    @Override
    public void close() {
        server.close();
    }
}
