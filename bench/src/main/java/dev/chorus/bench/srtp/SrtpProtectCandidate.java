package dev.chorus.bench.srtp;

/** One way of SRTP-protecting a packet out of place, compared in {@link SrtpProviderBenchmark}. */
interface SrtpProtectCandidate {
    /**
     * Protects the RTP packet {@code in[inOff, inOff+len)} (12-byte header, no CSRC/extension) into {@code out} at
     * {@code outOff}, with packet index {@code index} (ROC << 16 | seq); returns the protected length.
     */
    int protect(byte[] in, int inOff, int len, byte[] out, int outOff, int index) throws Throwable;
}
