package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.project.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The running server's local control channel: a Unix-domain socket {@value #SOCKET_FILE} in the data dir, mode
 * 0600 (the data dir itself is 0700), so exactly whoever may read the data dir (and so holds every key anyway) may
 * use it. One request per connection: a JSON line {@code {"op":…,"args":{…}}}, answered by one JSON line
 * {@code {"ok":true,"result":…}} or {@code {"ok":false,"error":{"code":…,"message":…}}}. Operations are
 * {@code status}, {@code stop} and the {@link AdminOperations}; they are audited with actor
 * {@value LocalControl#ACTOR} and source {@value LocalControl#SOURCE}, exactly like the offline CLI.
 */
final class ControlChannel implements AutoCloseable {
    static final String SOCKET_FILE = "control.sock";
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ControlChannel.class);

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final ChorusServer chorus;
    private final Supplier<Map<String, Object>> status;
    private volatile boolean closed;

    private ControlChannel(Path socket, ServerSocketChannel server, ChorusServer chorus,
                           Supplier<Map<String, Object>> status) {
        this.socket = socket;
        this.server = server;
        this.chorus = chorus;
        this.status = status;
        this.acceptor = Thread.ofVirtual().name("chorus-control").unstarted(this::acceptLoop);
    }

    /** Binds the socket (replacing a stale one: the caller holds the data dir lock, so no server owns it). */
    static ControlChannel open(Path dataDir, ChorusServer chorus, Supplier<Map<String, Object>> status)
            throws IOException {
        Path socket = dataDir.resolve(SOCKET_FILE);
        Files.deleteIfExists(socket);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        ControlChannel c = new ControlChannel(socket, ch, chorus, status);
        c.acceptor.start();
        return c;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) log.warn("event=control_channel_failed cause={}", e.toString());
                return;
            }
            Thread.ofVirtual().name("chorus-control-req").start(() -> serve(client));
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream in = Channels.newInputStream(client);
             OutputStream out = Channels.newOutputStream(client)) {
            Map<String, Object> reply = new LinkedHashMap<>();
            boolean stop = false;
            try {
                JsonNode req = AdminOperations.JSON.readTree(readLine(in));
                String op = req.path("op").asText("");
                Object result;
                if (op.equals("status")) {
                    result = status.get();
                } else if (op.equals("stop")) {
                    result = Map.of("stopping", true);
                    stop = true;
                } else {
                    result = AdminOperations.execute(chorus.control(), new ProjectAdminService.Actor(
                            LocalControl.ACTOR, LocalControl.SOURCE), op, req.path("args"));
                }
                reply.put("ok", true);
                reply.put("result", result);
            } catch (ServiceException e) {
                reply.put("ok", false);
                reply.put("error", Map.of("code", e.error().code(), "message", e.getMessage()));
            } catch (IOException | RuntimeException e) {
                reply.put("ok", false);
                reply.put("error", Map.of("code", "bad_request", "message", "malformed control request"));
            }
            out.write(AdminOperations.JSON.writeValueAsBytes(reply));
            out.write('\n');
            out.flush();
            if (stop) {
                log.info("event=stop_requested via=control_channel");
                chorus.requestStop();
            }
        } catch (IOException e) {
            log.debug("event=control_request_failed cause={}", e.toString());
        }
    }

    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (buf.size() >= MAX_REQUEST_BYTES) throw new IOException("control message too large");
            buf.write(b);
        }
        return buf.toByteArray();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // a stale socket is replaced at the next start
        }
    }

    /** The client side: sends one request to the server on {@code dataDir} and returns its reply. */
    static JsonNode call(Path dataDir, String op, JsonNode args) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dataDir.resolve(SOCKET_FILE)));
             InputStream in = Channels.newInputStream(ch); OutputStream out = Channels.newOutputStream(ch)) {
            ObjectNode req = AdminOperations.JSON.createObjectNode();
            req.put("op", op);
            req.set("args", args == null ? AdminOperations.JSON.createObjectNode() : args);
            out.write(AdminOperations.JSON.writeValueAsBytes(req));
            out.write('\n');
            out.flush();
            return AdminOperations.JSON.readTree(new String(readLine(in), StandardCharsets.UTF_8));
        }
    }
}
