package dev.chorus.media.datachannel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.common.testing.RequiredTool;
import dev.chorus.media.sctp.SctpAssociation;
import dev.chorus.media.sctp.SctpConfig;
import dev.chorus.media.sctp.SctpCounter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Interop with a real, independent SCTP stack: werift-sctp (npm; TypeScript, derived from aiortc and pion) in a
 * Node process, over UDP on loopback (the same SCTP packets WebRTC carries inside DTLS, RFC 8261). Our association
 * and DCEP layer run on the test thread with the wall clock. Covers set-up in both directions, DCEP open, 1 KB and
 * 60 KB messages echoed back exactly once and in order, text and empty messages, a stream reset started by the
 * peer and one started by us, our graceful SHUTDOWN, and the peer's ABORT.
 */
class WeriftSctpInteropTest {

    @Test
    void weriftConnectsToUsAndEchoesEveryMessageOnce() throws Exception {
        try (Peer peer = Peer.start("client")) {
            peer.run(() -> peer.established, 10_000);
            exchange(peer);
            // werift's stop() ends an association with ABORT.
            DataChannel ch = peer.channels.channels().iterator().next();
            peer.channels.send(ch, "shutdown", peer.now());
            assertTrue(peer.run(() -> peer.association.state() == SctpAssociation.State.CLOSED, 10_000));
            assertEquals(SctpAssociation.CloseReason.PEER_ABORT, peer.closeReason);
        }
    }

    @Test
    void weConnectToWeriftAndShutDownGracefully() throws Exception {
        try (Peer peer = Peer.start("server")) {
            peer.association.connect(peer.now());
            peer.run(() -> peer.established, 10_000);
            exchange(peer);
            // Our graceful SHUTDOWN: werift answers SHUTDOWN-ACK, we send SHUTDOWN-COMPLETE.
            peer.association.shutdown(peer.now());
            assertTrue(peer.run(() -> peer.association.state() == SctpAssociation.State.CLOSED, 10_000),
                    "state " + peer.association.state());
            assertEquals(SctpAssociation.CloseReason.SHUTDOWN, peer.closeReason);
        }
    }

    private static void exchange(Peer peer) throws Exception {
        String first = peer.waitLine("FIRST ");
        byte[] firstPacket = java.util.HexFormat.of().parseHex(first.substring(6));
        assertTrue(firstPacket.length >= 32, "werift's first packet (INIT or INIT-ACK) was captured");

        DataChannel ch = peer.channels.open("chat", "", ChannelType.RELIABLE, 0, peer.now());
        assertTrue(peer.run(() -> ch.state() == DataChannel.State.OPEN, 5_000), "DATA_CHANNEL_ACK from werift");

        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) sent.add(payload(i, 1024));
        for (int i = 100; i < 110; i++) sent.add(payload(i, 60 * 1024));
        for (byte[] m : sent) {
            assertEquals(SctpAssociation.SendResult.QUEUED, peer.channels.send(ch, m, peer.now()));
        }
        peer.channels.send(ch, "text é", peer.now());
        peer.channels.send(ch, "", peer.now());
        assertTrue(peer.run(() -> peer.received.size() >= sent.size() + 2, 20_000),
                "echoed " + peer.received.size());
        peer.run(() -> false, 300); // a duplicate would arrive now
        assertEquals(sent.size() + 2, peer.received.size());
        for (int i = 0; i < sent.size(); i++) {
            assertTrue(peer.received.get(i).binary);
            assertArrayEquals(sent.get(i), peer.received.get(i).data, "message " + i);
        }
        assertEquals("text é", new String(peer.received.get(sent.size()).data, StandardCharsets.UTF_8));
        assertEquals(0, peer.received.get(sent.size() + 1).data.length);
        assertEquals(0, peer.association.count(SctpCounter.MALFORMED_CHUNK));
        assertEquals(0, peer.association.count(SctpCounter.DROP_BAD_CHECKSUM));

        // werift resets its outgoing stream; we answer with ours (RFC 8831 section 6.7): the channel closes.
        DataChannel other = peer.channels.open("other", "", ChannelType.RELIABLE, 0, peer.now());
        assertTrue(peer.run(() -> other.state() == DataChannel.State.OPEN, 5_000));
        peer.channels.send(other, "reset-me", peer.now());
        assertTrue(peer.run(() -> other.state() == DataChannel.State.CLOSED, 5_000), "state " + other.state());
        // We close "chat"; werift resets its side too.
        peer.channels.close(ch, peer.now());
        assertTrue(peer.run(() -> ch.state() == DataChannel.State.CLOSED, 5_000), "state " + ch.state());
        // A fresh channel on the reset stream id works.
        DataChannel again = peer.channels.open("again", "", ChannelType.RELIABLE, 0, peer.now());
        assertTrue(peer.run(() -> again.state() == DataChannel.State.OPEN, 5_000));
        int before = peer.received.size();
        peer.channels.send(again, new byte[] {9}, peer.now());
        assertTrue(peer.run(() -> peer.received.size() == before + 1, 5_000));
    }

    private static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) b[k] = (byte) (i * 13 + k);
        return b;
    }

    record Message(byte[] data, boolean binary) {}

    /** The werift process, our association on a UDP socket, and the event loop that drives the association. */
    static final class Peer implements AutoCloseable, DataChannels.Listener {
        final Process process;
        final DatagramSocket socket;
        final InetSocketAddress remote;
        final SctpAssociation association;
        final DataChannels channels;
        final List<Message> received = new ArrayList<>();
        final List<String> stdout = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final long start = System.nanoTime();
        boolean established;
        SctpAssociation.CloseReason closeReason;

        static Peer start(String mode) throws Exception {
            Path dir = weriftDir();
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Process p = new ProcessBuilder("node", dir.resolve("werift-sctp-peer.cjs").toString(), mode,
                    String.valueOf(socket.getLocalPort())).directory(dir.toFile()).redirectErrorStream(true).start();
            return new Peer(p, socket);
        }

        private Peer(Process process, DatagramSocket socket) throws Exception {
            this.process = process;
            this.socket = socket;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        stdout.add(line);
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            String port = waitLine("PORT ");
            this.remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port.substring(5)));
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            this.channels = new DataChannels(DataChannels.Role.DTLS_CLIENT, this);
            this.association = new SctpAssociation(SctpConfig.webRtc(secret), new SecureRandom(), this::sendPacket,
                    channels);
            channels.attach(association);
        }

        String waitLine(String prefix) throws InterruptedException {
            for (String l : stdout.toArray(new String[0])) {
                if (l.startsWith(prefix)) return l;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) return l;
                if (l == null && !process.isAlive() && lines.isEmpty()) break;
            }
            throw new AssertionError("werift never printed " + prefix + ": " + String.join("\n", stdout));
        }

        long now() { return (System.nanoTime() - start) / 1_000_000 + 1_000; }

        private void sendPacket(byte[] packet) {
            try {
                socket.send(new DatagramPacket(packet, packet.length, remote));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Drives the association until {@code done} or the timeout; returns {@code done}'s value. */
        boolean run(BooleanSupplier done, long timeoutMillis) throws IOException {
            byte[] buf = new byte[65_536];
            long deadline = now() + timeoutMillis;
            while (!done.getAsBoolean() && now() < deadline) {
                long wait = Math.clamp(association.nextTimeoutMillis() - now(), 1, 20);
                socket.setSoTimeout((int) wait);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    association.handlePacket(buf, 0, p.getLength(), now());
                } catch (SocketTimeoutException ignored) {
                    // timers below
                }
                if (association.nextTimeoutMillis() <= now()) association.handleTimeout(now());
            }
            return done.getAsBoolean();
        }

        @Override public void onAssociationEstablished() { established = true; }
        @Override public void onChannelOpen(DataChannel channel) {}
        @Override public void onMessage(DataChannel channel, byte[] data, boolean binary) {
            received.add(new Message(data, binary));
        }
        @Override public void onAssociationClosed(SctpAssociation.CloseReason reason) { closeReason = reason; }

        @Override
        public void close() throws Exception {
            socket.close();
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The repository's interop/ directory, where .ci/run installs werift-sctp (and "debug", which werift-sctp
     * requires without declaring it) exactly as locked in package-lock.json with {@code npm ci}; the peer script
     * lives there so Node resolves the packages from it. Nothing is installed at test time.
     */
    static Path weriftDir() {
        Path dir = Path.of("interop").toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("interop/package.json"))) {
                dir = p.resolve("interop");
                break;
            }
        }
        RequiredTool.require(Files.isExecutable(Path.of("/usr/bin/node"))
                        && Files.isDirectory(dir.resolve("node_modules/werift-sctp"))
                        && Files.isDirectory(dir.resolve("node_modules/debug")),
                "node and the npm package werift-sctp (apt-get install nodejs npm; cd interop && npm ci)");
        return dir;
    }
}
