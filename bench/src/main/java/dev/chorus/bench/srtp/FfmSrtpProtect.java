package dev.chorus.bench.srtp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Candidate for the SRTP provider comparison (not used by the server): SRTP protect with the Java FFM API calling
 * the system's libcrypto ({@code libcrypto.so.3}) directly. One {@code EVP_CIPHER_CTX} (and for CM-80 one
 * {@code HMAC_CTX}) per stream, keyed once; per packet only the IV is set. The packet arrays are passed to native
 * code as heap segments ({@link Linker.Option#critical(boolean) critical} downcalls), so nothing is copied.
 */
final class FfmSrtpProtect implements SrtpProtectCandidate {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup CRYPTO = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
    private static final Linker.Option HEAP = Linker.Option.critical(true);
    private static final int EVP_CTRL_GCM_GET_TAG = 0x10;

    private static final MethodHandle CTX_NEW = handle("EVP_CIPHER_CTX_new", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle CTX_FREE = handle("EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle AES_128_GCM = handle("EVP_aes_128_gcm", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle AES_128_CTR = handle("EVP_aes_128_ctr", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle SHA1 = handle("EVP_sha1", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle ENCRYPT_INIT = handle("EVP_EncryptInit_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ENCRYPT_UPDATE = handle("EVP_EncryptUpdate",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), HEAP);
    private static final MethodHandle ENCRYPT_FINAL = handle("EVP_EncryptFinal_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), HEAP);
    private static final MethodHandle CTX_CTRL = handle("EVP_CIPHER_CTX_ctrl",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), HEAP);
    private static final MethodHandle HMAC_NEW = handle("HMAC_CTX_new", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle HMAC_FREE = handle("HMAC_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle HMAC_INIT = handle("HMAC_Init_ex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle HMAC_UPDATE = handle("HMAC_Update",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), HEAP);
    private static final MethodHandle HMAC_FINAL = handle("HMAC_Final",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    private final boolean gcm;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ctx;
    private final MemorySegment hmac;
    private final MemorySegment iv;
    private final MemorySegment outLength;
    private final MemorySegment digest;
    private final byte[] salt;
    private final byte[] ivBytes;
    private final byte[] roc = new byte[4];

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(CRYPTO.find(name).orElseThrow(() -> new IllegalStateException(name)), fd, options);
    }

    FfmSrtpProtect(boolean gcm, byte[] sessionKey, byte[] sessionSalt, byte[] authKey) throws Throwable {
        this.gcm = gcm;
        this.salt = sessionSalt.clone();
        this.ivBytes = new byte[gcm ? 12 : 16];
        this.iv = arena.allocate(16);
        this.outLength = arena.allocate(JAVA_INT);
        this.digest = arena.allocate(64);
        this.ctx = (MemorySegment) CTX_NEW.invokeExact();
        MemorySegment key = arena.allocateFrom(JAVA_BYTE, sessionKey);
        MemorySegment cipher = gcm ? (MemorySegment) AES_128_GCM.invokeExact() : (MemorySegment) AES_128_CTR.invokeExact();
        check((int) ENCRYPT_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, key, MemorySegment.NULL), "EncryptInit");
        if (gcm) {
            hmac = MemorySegment.NULL;
        } else {
            hmac = (MemorySegment) HMAC_NEW.invokeExact();
            MemorySegment auth = arena.allocateFrom(JAVA_BYTE, authKey);
            MemorySegment sha1 = (MemorySegment) SHA1.invokeExact();
            check((int) HMAC_INIT.invokeExact(hmac, auth, authKey.length, sha1, MemorySegment.NULL), "HMAC_Init");
        }
    }

    private static void check(int ok, String what) {
        if (ok != 1) throw new IllegalStateException(what + " failed");
    }

    @Override
    public int protect(byte[] in, int inOff, int len, byte[] out, int outOff, int index) throws Throwable {
        int ssrc = SrtpIv.ssrc(in, inOff);
        System.arraycopy(in, inOff, out, outOff, 12);
        MemorySegment src = MemorySegment.ofArray(in);
        MemorySegment dst = MemorySegment.ofArray(out);
        int payload = len - 12;
        if (gcm) SrtpIv.gcm(ivBytes, salt, ssrc, index); else SrtpIv.ctr(ivBytes, salt, ssrc, index);
        MemorySegment.copy(ivBytes, 0, iv, JAVA_BYTE, 0, ivBytes.length);
        check((int) ENCRYPT_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, iv), "IV");
        if (gcm) {
            check((int) ENCRYPT_UPDATE.invokeExact(ctx, MemorySegment.NULL, outLength, src.asSlice(inOff), 12), "AAD");
        }
        check((int) ENCRYPT_UPDATE.invokeExact(ctx, dst.asSlice(outOff + 12), outLength, src.asSlice(inOff + 12),
                payload), "Update");
        check((int) ENCRYPT_FINAL.invokeExact(ctx, dst.asSlice(outOff + 12 + payload), outLength), "Final");
        if (gcm) {
            check((int) CTX_CTRL.invokeExact(ctx, EVP_CTRL_GCM_GET_TAG, 16, dst.asSlice(outOff + len)), "tag");
            return len + 16;
        }
        check((int) HMAC_INIT.invokeExact(hmac, MemorySegment.NULL, 0, MemorySegment.NULL, MemorySegment.NULL), "reset");
        check((int) HMAC_UPDATE.invokeExact(hmac, dst.asSlice(outOff), len), "HMAC");
        SrtpIv.putInt(roc, 0, index >>> 16);
        check((int) HMAC_UPDATE.invokeExact(hmac, MemorySegment.ofArray(roc), 4), "ROC");
        check((int) HMAC_FINAL.invokeExact(hmac, digest, outLength), "HMAC_Final");
        MemorySegment.copy(digest, JAVA_BYTE, 0, out, outOff + len, 10);
        return len + 10;
    }

    void close() throws Throwable {
        CTX_FREE.invokeExact(ctx);
        if (!gcm) HMAC_FREE.invokeExact(hmac);
        arena.close();
    }
}
