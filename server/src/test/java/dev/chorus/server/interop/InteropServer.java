package dev.chorus.server.interop;

import dev.chorus.server.ChorusConfig;
import dev.chorus.server.ChorusServer;
import dev.chorus.server.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real server as {@code chorus start} wires it (dev bootstrap into a temp dir, HTTPS + WS + media UDP + TURN on
 * ephemeral ports) on one address: 127.0.0.1 for stacks that use loopback, or the host side of a test network
 * namespace's link for stacks that skip loopback. {@link #close()} stops it and deletes the temp dir.
 */
final class InteropServer implements AutoCloseable {
    final Path tmp;
    final ChorusServer server;
    final String address;

    private InteropServer(Path tmp, ChorusServer server, String address) {
        this.tmp = tmp;
        this.server = server;
        this.address = address;
    }

    static InteropServer start(String address, Map<String, String> extraConfig) throws Exception {
        Path tmp = Files.createTempDirectory("chorus-interop-");
        try {
            Map<String, String> env = new HashMap<>(Map.ofEntries(
                    Map.entry("CHORUS_DATA_DIR", tmp.resolve("data").toString()),
                    Map.entry("CHORUS_HTTP_BIND_ADDRESS", address),
                    Map.entry("CHORUS_HTTP_PORT", "0"),
                    Map.entry("CHORUS_MEDIA_BIND_ADDRESS", address),
                    Map.entry("CHORUS_MEDIA_UDP_PORT", "0"),
                    Map.entry("CHORUS_MEDIA_WORKERS", "2"),
                    Map.entry("CHORUS_MEDIA_EMPTY_ROOM_GRACE", "2s"),
                    Map.entry("CHORUS_TURN_ENABLED", "true"),
                    Map.entry("CHORUS_TURN_BIND_ADDRESS", address),
                    Map.entry("CHORUS_TURN_UDP_PORT", "0"),
                    Map.entry("CHORUS_TURN_TCP_PORT", "0"),
                    Map.entry("CHORUS_TURN_ALLOW_LOOPBACK_PEERS", "true")));
            env.putAll(extraConfig);
            ChorusConfig cfg = ConfigLoader.load(null, env);
            ChorusServer server = ChorusServer.start(cfg,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return new InteropServer(tmp, server, address);
        } catch (Throwable t) {
            FirefoxHarness.deleteTree(tmp);
            throw t;
        }
    }

    /** The page origin, e.g. {@code https://127.0.0.1:40123/}. */
    String pageUrl() {
        return "https://" + address + ":" + server.port() + "/";
    }

    /** The participant WebSocket, e.g. {@code wss://127.0.0.1:40123/v1/ws}. */
    String wsUrl() {
        return "wss://" + address + ":" + server.port() + "/v1/ws";
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            FirefoxHarness.deleteTree(tmp);
        }
    }
}
