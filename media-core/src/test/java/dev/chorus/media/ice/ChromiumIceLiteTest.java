package dev.chorus.media.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpAnswerBuilder;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SdpWriter;
import dev.chorus.media.sdp.SessionDescription;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real peer we did not write: headless Chromium offers audio+video, our {@link SdpAnswerBuilder} answers
 * (ice-lite, setup:passive, a host candidate on 127.0.0.1), and Chromium's connectivity checks go through our
 * {@link StunRouter}. Chromium accepts the answer, starts DTLS (first byte 20–63) from the 5-tuple our agent
 * validated as soon as a check succeeded (observed: possibly before it nominates, so DTLS must be gated on
 * {@link IceLiteAgent#isValidated}, not on the selected address), and nominates our candidate with USE-CANDIDATE.
 * DTLS itself is the dtls-srtp branch's test; here the ClientHello is only observed.
 */
class ChromiumIceLiteTest {
    private static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");

    private static final String PAGE = """
            <!doctype html><html><body><script>
            const post = (path, body) => fetch(path, {method: 'POST', body});
            (async () => {
              try {
                const pc = new RTCPeerConnection();
                const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
                s.getTracks().forEach(t => pc.addTrack(t, s));
                pc.oniceconnectionstatechange = () => post('/state', pc.iceConnectionState);
                await pc.setLocalDescription(await pc.createOffer());
                const answer = await (await post('/offer', pc.localDescription.sdp)).text();
                await pc.setRemoteDescription({type: 'answer', sdp: answer});
                await post('/result', 'ok');
              } catch (e) { await post('/result', 'ERR ' + e); }
            })();
            </script></body></html>""";

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chromiumConnectsToOurIceLiteAgent() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not installed");
        IceDirectory directory = new IceDirectory(8);
        StunRouter router = new StunRouter(directory);
        List<String> events = new CopyOnWriteArrayList<>();
        IceLiteAgent[] agent = new IceLiteAgent[1];
        byte[] fp = new byte[32];
        ThreadLocalRandom.current().nextBytes(fp);
        Sdp.Fingerprint fingerprint = new Sdp.Fingerprint("sha-256", HexFormat.ofDelimiter(":").withUpperCase().formatHex(fp));

        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress candidate = (InetSocketAddress) udp.getLocalSocketAddress();
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", ex -> {
                try (ex) {
                    String path = ex.getRequestURI().getPath();
                    String body = new String(ex.getRequestBody().readNBytes(256 * 1024), StandardCharsets.UTF_8);
                    switch (path) {
                        case "/offer" -> {
                            try {
                                SessionDescription offer = SdpParser.parse(body);
                                MediaDescription first = offer.media().get(0);
                                IceLiteAgent a = directory.create(offer.iceUfrag(first), System.nanoTime());
                                agent[0] = a;
                                String answer = SdpWriter.write(new SdpAnswerBuilder(offer, a.localCredentials(), fingerprint)
                                        .candidate(candidate).codecs("opus", "VP8").build());
                                reply(ex, answer);
                            } catch (Exception e) {
                                events.add("answer failed: " + e);
                                ex.sendResponseHeaders(500, -1);
                            }
                        }
                        case "/result", "/state" -> {
                            events.add(path + " " + body);
                            ex.sendResponseHeaders(204, -1);
                        }
                        default -> reply(ex, PAGE);
                    }
                }
            });
            http.start();
            Path profile = Files.createTempDirectory("chorus-chromium");
            Process chrome = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
                    "http://127.0.0.1:" + http.getAddress().getPort() + "/")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                byte[] rx = new byte[2048];
                DatagramPacket dp = new DatagramPacket(rx, rx.length);
                ByteBuf out = Unpooled.buffer(512);
                udp.setSoTimeout(200);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                InetSocketAddress dtlsFrom = null;
                int responded = 0;
                while (System.nanoTime() < deadline && (dtlsFrom == null || agent[0].selectedAddress() == null)) {
                    try {
                        udp.receive(dp);
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    InetSocketAddress from = (InetSocketAddress) dp.getSocketAddress();
                    int first = rx[0] & 0xFF;
                    if (first <= 3) {
                        out.clear();
                        IceCheckResult r = router.handle(Unpooled.wrappedBuffer(rx, 0, dp.getLength()), from,
                                System.nanoTime(), out);
                        if (r == IceCheckResult.RESPONDED || r == IceCheckResult.ROLE_CONFLICT) {
                            responded++;
                            byte[] tx = new byte[out.readableBytes()];
                            out.readBytes(tx);
                            udp.send(new DatagramPacket(tx, tx.length, from));
                        }
                    } else if (first >= 20 && first <= 63 && router.agentFor(from) != null) {
                        dtlsFrom = from; // ClientHello from a validated 5-tuple: Chromium considers the pair writable
                    }
                }
                assertThat(events).as("page events").contains("/result ok");
                assertThat(responded).isPositive();
                IceLiteAgent a = agent[0];
                assertThat(a.selectedAddress()).as("nominated by USE-CANDIDATE").isNotNull();
                assertThat(dtlsFrom).as("DTLS from a validated 5-tuple").isNotNull();
                assertThat(a.isValidated(dtlsFrom)).isTrue();
                assertThat(router.count(IceCheckResult.UNKNOWN_UFRAG) + router.count(IceCheckResult.MALFORMED)).isZero();
            } finally {
                chrome.destroy();
                if (!chrome.waitFor(10, TimeUnit.SECONDS)) {
                    chrome.destroyForcibly();
                }
                http.stop(0);
                deleteRecursively(profile);
            }
        }
    }

    private static void reply(HttpExchange ex, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", text.startsWith("<!doctype") ? "text/html" : "application/sdp");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort cleanup of a temp profile
        }
    }
}
