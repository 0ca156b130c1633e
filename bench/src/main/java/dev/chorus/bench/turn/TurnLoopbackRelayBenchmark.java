package dev.chorus.bench.turn;

import dev.chorus.stun.StunAttributes;
import dev.chorus.stun.StunMessage;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.turn.core.TurnRequests;
import dev.chorus.turn.core.TurnSettings;
import dev.chorus.turn.netty.TurnConfig;
import dev.chorus.turn.netty.TurnServer;
import dev.chorus.common.net.AddressRange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The real server on loopback: a client socket sends bursts of 32 ChannelData datagrams (1200-byte payload) through
 * an allocation; a peer socket receives them from the relay. Score = relayed packets/s (client → peer) through the
 * server's single event loop; includes the kernel's loopback UDP path on both sides and the benchmark's own sockets
 * on the same machine. Lost packets (receive timeout) are reported as the {@code lost} counter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TurnLoopbackRelayBenchmark {
    static final int BURST = 32;
    static final String SECRET = "bench-secret-0123456789abcdef";

    TurnServer server;
    DatagramChannel client;
    DatagramChannel peer;
    ByteBuffer packet;
    final java.net.DatagramPacket received = new java.net.DatagramPacket(new byte[2048], 2048);

    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Losses {
        public long lost;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        TurnSettings s = TurnSettings.defaults(lo).withRelayPorts(45000, 45999)
                .withQuotas(10, 100, 64, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        TurnConfig cfg = new TurnConfig(lo, 0, -1, null, null, List.of(SECRET), s, List.of(AddressRange.parse("127.0.0.0/8")),
                List.of(), List.of(), true);
        server = new TurnServer(cfg, null);
        server.start();
        client = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        client.connect(server.udpAddress());
        peer = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
        peer.socket().setSoTimeout(1000);
        client.socket().setSoTimeout(2000);
        client.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        peer.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);

        String user = (System.currentTimeMillis() / 1000 + 600) + ":bench";
        TurnRequests c = new TurnRequests(user, SecretRing.password(SECRET.getBytes(), user));
        exchange(c, c.allocate());
        exchange(c, c.allocate());
        exchange(c, c.channelBind(0x4001, (InetSocketAddress) peer.getLocalAddress()));
        byte[] payload = new byte[1200];
        packet = ByteBuffer.allocateDirect(4 + payload.length);
        packet.putShort((short) 0x4001).putShort((short) payload.length).put(payload).flip();
    }

    private void exchange(TurnRequests c, ByteBuf request) throws Exception {
        client.write(ByteBuffer.wrap(ByteBufUtil.getBytes(request)));
        request.release();
        byte[] buf = new byte[2048];
        java.net.DatagramPacket dp = new java.net.DatagramPacket(buf, buf.length);
        client.socket().receive(dp);
        StunMessage m = c.read(Unpooled.wrappedBuffer(buf, 0, dp.getLength()));
        int e = m.indexOf(StunAttributes.ERROR_CODE);
        if (e >= 0 && m.errorCode(e) != 401) throw new IllegalStateException("TURN error " + m.errorCode(e));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        client.close();
        peer.close();
        server.stop();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void relayBurst(Losses losses) throws Exception {
        for (int i = 0; i < BURST; i++) {
            packet.rewind();
            client.write(packet);
        }
        for (int i = 0; i < BURST; i++) {
            try {
                peer.socket().receive(received);
            } catch (SocketTimeoutException e) {
                losses.lost += BURST - i;
                return;
            }
        }
    }
}
