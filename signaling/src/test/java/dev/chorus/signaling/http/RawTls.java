package dev.chorus.signaling.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

/**
 * Hand-built TLS ClientHellos, so tests can offer what a modern JDK client refuses to offer (TLS 1.0/1.1, CBC and
 * RSA-key-exchange suites) and see what the server answers: a ServerHello (content type 22) or an alert (21) / EOF.
 */
public final class RawTls {
    public static final int TLS10 = 0x0301, TLS11 = 0x0302, TLS12 = 0x0303;
    public static final int TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f;
    public static final int TLS_RSA_WITH_3DES_EDE_CBC_SHA = 0x000a;
    public static final int TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009;
    public static final int TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013;
    public static final int TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b;

    private RawTls() {}

    public static byte[] clientHello(int version, int... suites) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // session id
        u16(body, suites.length * 2);
        for (int s : suites) u16(body, s);
        body.write(1);
        body.write(0); // null compression
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        u16(ext, 0x000a); u16(ext, 4); u16(ext, 2); u16(ext, 0x0017);            // supported_groups: secp256r1
        u16(ext, 0x000b); u16(ext, 2); ext.write(1); ext.write(0);               // ec_point_formats: uncompressed
        u16(ext, 0x000d); u16(ext, 6); u16(ext, 4); u16(ext, 0x0403); u16(ext, 0x0804); // signature_algorithms
        u16(body, ext.size());
        body.writeBytes(ext.toByteArray());
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        hs.write(1); // client_hello
        hs.write(0); u16(hs, body.size());
        hs.writeBytes(body.toByteArray());
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        rec.write(22);
        u16(rec, TLS10); // record layer version as real clients send it
        u16(rec, hs.size());
        rec.writeBytes(hs.toByteArray());
        return rec.toByteArray();
    }

    /** Sends the hello and returns the first byte answered (22 handshake, 21 alert) or -1 on EOF. */
    public static int firstResponseByte(int port, byte[] hello) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(hello);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            try {
                return in.read();
            } catch (SocketTimeoutException e) {
                return -2;
            } catch (IOException e) {
                return -1; // reset
            }
        }
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write((v >>> 8) & 0xff);
        out.write(v & 0xff);
    }
}
