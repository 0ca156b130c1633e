package dev.chorus.bench.turn;

import dev.chorus.stun.StunAttributes;
import dev.chorus.stun.StunMessage;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.turn.core.Allocation;
import dev.chorus.turn.core.ClientKey;
import dev.chorus.turn.core.TurnCore;
import dev.chorus.turn.core.TurnIo;
import dev.chorus.turn.core.TurnRequests;
import dev.chorus.turn.core.TurnSettings;
import dev.chorus.turn.policy.RelayPeerPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The TURN relay's per-packet path, sans-IO, one thread (one core): the allocation lookup by 5-tuple, the
 * channel/permission checks, the peer policy (Send indications), the framing, and the hand-off to the edge (which
 * here only releases the buffer). The allocation, permission and channel are set up through the real protocol
 * (401 challenge, authenticated Allocate, ChannelBind). Packets/s per core = ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TurnRelayBenchmark {
    static final String SECRET = "bench-secret-0123456789abcdef";

    @Param({"1200"})
    int payload;

    TurnCore core;
    ClientKey client;
    Allocation allocation;
    InetSocketAddress peer;
    ByteBuf channelData;
    ByteBuf sendIndication;
    ByteBuf fromPeer;
    long now;
    final SinkIo io = new SinkIo();

    /** Releases everything it is given; counts so the JIT cannot drop the work. */
    static final class SinkIo implements TurnIo {
        long sent;
        final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        StunMessage last;

        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public void sendToClient(ClientKey c, ByteBuf message) {
            if (last != null) last = StunMessage.parse(Unpooled.copiedBuffer(message));  // setup only
            sent += message.readableBytes();
            message.release();
        }

        @Override
        public void sendToPeer(Object relay, InetSocketAddress p, ByteBuf data) {
            sent += data.readableBytes();
            data.release();
        }

        @Override
        public Object openRelay(InetAddress address, int port, Allocation owner) {
            return "relay";
        }

        @Override
        public void closeRelay(Object relay) {
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        now = System.currentTimeMillis();
        TurnSettings s = TurnSettings.defaults(InetAddress.getByName("192.0.2.1"))
                .withQuotas(10, 10_000, 64, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);  // never bandwidth-limited here
        core = new TurnCore(s, new SecretRing(List.of(SECRET)), RelayPeerPolicy.defaults(Set.of(3478)), io, new Random(1));
        client = new ClientKey(ClientKey.UDP, new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 50000),
                new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 3478));
        peer = new InetSocketAddress(InetAddress.getByName("203.0.113.50"), 40000);
        String user = (now / 1000 + 600) + ":bench";
        TurnRequests c = new TurnRequests(user, SecretRing.password(SECRET.getBytes(), user));
        expect(c, c.allocate(), 401);
        expect(c, c.allocate(), 0);
        // the default policy refuses 203.0.113.0/24 (documentation): use a public-looking peer instead
        peer = new InetSocketAddress(InetAddress.getByName("8.8.4.4"), 40000);
        expect(c, c.channelBind(0x4001, peer), 0);
        allocation = core.allocation(client);
        byte[] data = new byte[payload];
        new Random(2).nextBytes(data);
        channelData = PooledByteBufAllocator.DEFAULT.directBuffer(4 + payload);
        channelData.writeShort(0x4001).writeShort(payload).writeBytes(data);
        ByteBuf send = TurnRequests.send(peer, data);
        sendIndication = PooledByteBufAllocator.DEFAULT.directBuffer(send.readableBytes()).writeBytes(send);
        send.release();
        fromPeer = PooledByteBufAllocator.DEFAULT.directBuffer(payload).writeBytes(data);
    }

    private void expect(TurnRequests c, ByteBuf request, int code) {
        io.last = StunMessage.parse(request);  // non-null: capture mode
        core.onClientPacket(client, request, now);
        request.release();
        StunMessage answer = io.last;
        io.last = null;
        int i = answer.indexOf(StunAttributes.ERROR_CODE);
        int got = i < 0 ? 0 : answer.errorCode(i);
        int n = answer.indexOf(StunAttributes.NONCE);
        if (n >= 0) c.nonce = answer.string(n);
        if (got != code) throw new IllegalStateException("expected " + code + " got " + got);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channelData.release();
        sendIndication.release();
        fromPeer.release();
    }

    /** Client → peer: ChannelData over UDP (lookup + channel + permission + bandwidth + slice to the relay socket). */
    @Benchmark
    public long channelDataToPeer() {
        core.onClientPacket(client, channelData, now);
        return io.sent;
    }

    /** Peer → client: permission + channel lookup + ChannelData framing into a new pooled buffer. */
    @Benchmark
    public long peerToClientChannelData() {
        core.onPeerPacket(allocation, peer, fromPeer, now);
        return io.sent;
    }

    /** Client → peer with a Send indication: STUN parse + FINGERPRINT-less indication + peer policy + permission. */
    @Benchmark
    public void sendIndicationToPeer(Blackhole bh) {
        core.onClientPacket(client, sendIndication, now);
        bh.consume(io.sent);
    }
}
