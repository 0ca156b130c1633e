package dev.chorus.bench.srtp;

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
 * The cipher-level candidates of the SRTP provider choice, protecting one 1200-byte RTP packet out of place:
 * reused JCE (SunJCE) cipher objects ({@link JceSrtpProtect}) and the FFM API over the system libcrypto
 * ({@link FfmSrtpProtect}). jitsi-srtp with its OpenSSL provider and with SunJCE is measured by {@link SrtpBenchmark}
 * (its {@code provider} parameter), through Chorus's real {@code SrtpEncryptor}.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar 'SrtpBenchmark.protect|SrtpProviderBenchmark' -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SrtpProviderBenchmark {
    static final int PACKET = 1200;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public String profile;

    @Param({"JCE_REUSED", "FFM_LIBCRYPTO"})
    public String candidate;

    private SrtpProtectCandidate protect;
    private final byte[] plain = new byte[PACKET];
    private final byte[] out = new byte[PACKET + 32];
    private int index;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        boolean gcm = profile.startsWith("AEAD");
        Random random = new Random(1);
        byte[] key = new byte[16];
        byte[] salt = new byte[gcm ? 12 : 14];
        byte[] auth = new byte[20];
        random.nextBytes(key);
        random.nextBytes(salt);
        random.nextBytes(auth);
        SrtpProtectCandidate jce = new JceSrtpProtect(gcm, key, salt, auth);
        FfmSrtpProtect ffm = new FfmSrtpProtect(gcm, key, salt, auth);
        plain[0] = (byte) 0x80;
        plain[1] = 96;
        plain[8] = 0x12; plain[9] = 0x34; plain[10] = 0x56; plain[11] = 0x78;
        for (int i = 12; i < PACKET; i++) plain[i] = (byte) i;
        // The two candidates are independent implementations (SunJCE, OpenSSL): they must agree byte for byte.
        byte[] other = new byte[out.length];
        int n = jce.protect(plain, 0, PACKET, out, 0, 7);
        int m = ffm.protect(plain, 0, PACKET, other, 0, 7);
        if (n != m || !java.util.Arrays.equals(out, 0, n, other, 0, m)) throw new IllegalStateException("JCE != FFM");
        protect = candidate.equals("JCE_REUSED") ? jce : ffm;
        if (protect != ffm) ffm.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Throwable {
        if (protect instanceof FfmSrtpProtect f) f.close();
    }

    @Benchmark
    public int protect() throws Throwable {
        int i = index++;
        plain[2] = (byte) (i >> 8);
        plain[3] = (byte) i;
        return protect.protect(plain, 0, PACKET, out, 0, i);
    }
}
