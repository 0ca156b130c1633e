package dev.chorus.signaling.ws;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import javax.net.ssl.SSLContext;

/**
 * A hand-driven WebSocket client over TLS for what {@code java.net.http} will not send: legacy (hixie) and
 * malformed upgrades, chosen {@code Origin} headers, and text frames whose payload is not valid UTF-8.
 */
final class RawWs implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWs(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawWs open(SSLContext ssl, int port) throws IOException {
        return new RawWs(ssl.getSocketFactory().createSocket("127.0.0.1", port));
    }

    /** A well-formed RFC 6455 upgrade plus {@code extraHeaders} (each ending in CRLF). */
    static String upgrade(int port, String extraHeaders) {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        return "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n";
    }

    /** Sends raw request bytes and returns the response's status code (reads the head only). */
    int request(String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) out.write(body);
        out.flush();
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        while (h.size() < 16384) {
            int b = in.read();
            if (b < 0) break;
            h.write(b);
            byte[] a = h.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') break;
        }
        String text = h.toString(StandardCharsets.ISO_8859_1);
        return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }

    /** One final, masked client frame. */
    void frame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        f.write(0x80 | payload.length); // tests send < 126 bytes
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) f.write(payload[i] ^ mask[i % 4]);
        out.write(f.toByteArray());
        out.flush();
    }

    /** Reads server frames until a close frame and returns its status code (-1 if the connection just ended). */
    int awaitCloseCode() throws IOException {
        for (int i = 0; i < 64; i++) {
            int b0 = in.read();
            if (b0 < 0) return -1;
            int len = in.readUnsignedByte() & 0x7F;
            if (len == 126) len = in.readUnsignedShort();
            else if (len == 127) len = (int) in.readLong();
            byte[] p = new byte[len];
            in.readFully(p);
            if ((b0 & 0x0F) == 0x8) return len >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : 1005;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
