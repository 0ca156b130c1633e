package dev.chorus.bench.stun;

import dev.chorus.media.ice.IceCheckResult;
import dev.chorus.media.ice.IceDirectory;
import dev.chorus.media.ice.IceLiteAgent;
import dev.chorus.media.ice.StunRouter;
import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunParseStatus;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The ICE-lite hot path for one Chromium-like connectivity check (USERNAME, PRIORITY, ICE-CONTROLLING,
 * USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT) in pooled direct buffers, as the epoll transport delivers them:
 * decode only; decode + MESSAGE-INTEGRITY + FINGERPRINT verification; and the full router path (decode, ufrag
 * lookup among 1000 transports, verification, success response with XOR-MAPPED-ADDRESS + MI + FP).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StunBindingBenchmark {
    private ByteBuf request;
    private ByteBuf out;
    private final StunMessage view = new StunMessage(1500, 24);
    private StunKey key;
    private StunRouter router;
    private InetSocketAddress source;
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        IceDirectory directory = new IceDirectory(2000);
        IceLiteAgent agent = null;
        for (int i = 0; i < 1000; i++) {
            agent = directory.create("chrm", 0L);
        }
        router = new StunRouter(directory);
        key = StunKey.shortTerm(agent.localCredentials().pwd());
        source = new InetSocketAddress("127.0.0.1", 50000);
        request = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        new StunWriter().begin(request, StunMessageType.BINDING_REQUEST, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
                .addUsername(agent.localUfrag() + ":chrm")
                .add(0xC057, new byte[] {0, 1, 0, 50}) // GOOG-NETWORK-INFO, as Chromium sends
                .addIceControlling(0x1122334455667788L)
                .addUseCandidate()
                .addPriority(1853824767L)
                .addMessageIntegrity(key)
                .addFingerprint()
                .finish();
        out = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        now = 1_000_000_000L;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        request.release();
        out.release();
    }

    @Benchmark
    public StunParseStatus decode() {
        return view.wrap(request);
    }

    @Benchmark
    public boolean decodeAndVerify() {
        view.wrap(request);
        return StunIntegrity.verifyMessageIntegrity(view, key) & StunIntegrity.verifyFingerprint(view);
    }

    @Benchmark
    public IceCheckResult routeVerifyAndAnswer() {
        out.clear();
        return router.handle(request, source, now, out);
    }
}
