package dev.chorus.bench.srtp;

import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import java.util.Random;
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

/**
 * SRTP protect and unprotect of one 1200-byte RTP packet (12-byte header + 1188 payload) with Chorus's
 * {@link SrtpEncryptor}/{@link SrtpDecryptor} over jitsi-srtp, per profile. Each operation copies the packet into
 * the work buffer first (as the UDP edge does), so the copy is included. {@code provider} pins jitsi-srtp's AES (and
 * HMAC) provider: jitsi-srtp's OpenSSL glue or the JDK's SunJCE.
 *
 * <p>{@code unprotect} decrypts a ring of {@value #RING} packets protected in setup with increasing sequence
 * numbers (the replay window only accepts each index once); when the ring wraps, a fresh decryptor is created,
 * which adds one key derivation per {@value #RING} operations.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar SrtpBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SrtpBenchmark {
    static final int PACKET = 1200;
    static final int RING = 8192;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public String profile;

    /** jitsi-srtp's AES provider ({@code chorus.srtp.provider}); each parameter set runs in its own fork. */
    @Param({"OpenSSL", "SunJCE"})
    public String provider;

    private SrtpKeys keys;
    private SrtpEncryptor encryptor;
    private SrtpDecryptor decryptor;
    private final SrtpStats stats = new SrtpStats();
    private final PacketBuffer view = new PacketBuffer();
    private final byte[] plain = new byte[PACKET];
    private final byte[] work = new byte[PACKET + SrtpEncryptor.MAX_OVERHEAD];
    private byte[][] protectedRing;
    private int[] protectedLength;
    private int seq;
    private int ringIndex;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("chorus.srtp.provider", provider);
        SrtpProfile p = SrtpProfile.valueOf(profile);
        byte[] material = new byte[p.keyingMaterialLength()];
        new Random(1).nextBytes(material);
        keys = SrtpKeys.fromKeyingMaterial(p, material);
        plain[0] = (byte) 0x80;
        plain[1] = 96;
        plain[8] = 0x12; plain[9] = 0x34; plain[10] = 0x56; plain[11] = 0x78;
        for (int i = 12; i < PACKET; i++) plain[i] = (byte) i;
        encryptor = SrtpEncryptor.forServer(keys, 4, stats);
        decryptor = SrtpDecryptor.forServer(keys, 4, stats);

        // Packets protected by the client side, for unprotect.
        SrtpEncryptor client = SrtpEncryptor.forClient(keys, 4, new SrtpStats());
        protectedRing = new byte[RING][];
        protectedLength = new int[RING];
        for (int i = 0; i < RING; i++) {
            byte[] b = new byte[PACKET + SrtpEncryptor.MAX_OVERHEAD];
            System.arraycopy(plain, 0, b, 0, PACKET);
            b[2] = (byte) (i >> 8);
            b[3] = (byte) i;
            view.wrap(b, 0, PACKET);
            if (client.protectRtp(view) != SrtpResult.OK) throw new IllegalStateException("setup protect");
            protectedRing[i] = b;
            protectedLength[i] = view.getLength();
        }
        client.close();
        if (!SrtpEncryptor.cryptoProvider().equals(provider)) {
            throw new IllegalStateException("provider " + provider + " unavailable, got " + SrtpEncryptor.cryptoProvider());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encryptor.close();
        decryptor.close();
    }

    @Benchmark
    public int protect() {
        System.arraycopy(plain, 0, work, 0, PACKET);
        int s = seq++;
        work[2] = (byte) (s >> 8);
        work[3] = (byte) s;
        view.wrap(work, 0, PACKET);
        if (encryptor.protectRtp(view) != SrtpResult.OK) throw new IllegalStateException("protect");
        return view.getLength();
    }

    @Benchmark
    public int unprotect() {
        int i = ringIndex;
        if (i == RING) {
            decryptor.close();
            decryptor = SrtpDecryptor.forServer(keys, 4, stats);
            i = 0;
        }
        ringIndex = i + 1;
        int len = protectedLength[i];
        System.arraycopy(protectedRing[i], 0, work, 0, len);
        view.wrap(work, 0, len);
        if (decryptor.unprotectRtp(view) != SrtpResult.OK) throw new IllegalStateException("unprotect");
        return view.getLength();
    }
}
