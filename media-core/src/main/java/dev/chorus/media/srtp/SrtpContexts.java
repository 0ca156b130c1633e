package dev.chorus.media.srtp;

import io.netty.util.collection.IntObjectHashMap;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtpContextFactory;

/**
 * The crypto contexts of one kind (SRTP or SRTCP, protect or unprotect) per SSRC, shared by {@link SrtpEncryptor}
 * and {@link SrtpDecryptor}: a context is derived on an SSRC's first packet, the number of SSRCs is bounded by
 * {@code maxStreams}, and nothing thrown by jitsi-srtp escapes. Owned by one thread, like its owners. The
 * {@code derive} and {@code transform} functions are non-capturing, so a packet allocates nothing here.
 */
final class SrtpContexts<C> {
    /** Derives the context of an SSRC from the session's factory ({@code roc}: initial rollover counter). */
    interface Derive<C> {
        C derive(SrtpContextFactory factory, int ssrc, int roc) throws GeneralSecurityException;
    }

    /** Protects or unprotects a packet in place with a context. */
    interface Transform<C> {
        SrtpResult apply(C context, PacketBuffer packet) throws GeneralSecurityException;
    }

    private final IntObjectHashMap<C> contexts = new IntObjectHashMap<>();
    private final SrtpContextFactory factory;
    private final int maxStreams;
    private final Derive<C> derive;
    private final Transform<C> transform;
    /** Whether a context whose first packet fails is discarded again (receive side: random-SSRC garbage). */
    private final boolean discardFailedFresh;

    SrtpContexts(SrtpContextFactory factory, int maxStreams, Derive<C> derive, Transform<C> transform,
                 boolean discardFailedFresh) {
        this.factory = factory;
        this.maxStreams = maxStreams;
        this.derive = derive;
        this.transform = transform;
        this.discardFailedFresh = discardFailedFresh;
    }

    /** Transforms {@code packet} with the context of {@code ssrc}, derived (with rollover counter {@code roc}) if new. */
    SrtpResult apply(int ssrc, int roc, PacketBuffer packet) {
        C context = contexts.get(ssrc);
        boolean fresh = false;
        if (context == null) {
            if (contexts.size() >= maxStreams) return SrtpResult.TOO_MANY_STREAMS;
            try {
                context = derive.derive(factory, ssrc, roc);
            } catch (GeneralSecurityException e) {
                return SrtpResult.INVALID;
            }
            contexts.put(ssrc, context);
            fresh = true;
        }
        SrtpResult result;
        try {
            result = transform.apply(context, packet);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Malformed input must never escape as an exception from the packet path.
            result = SrtpResult.INVALID;
        }
        if (discardFailedFresh && fresh && result != SrtpResult.OK) contexts.remove(ssrc);
        return result;
    }

    void forget(int ssrc) { contexts.remove(ssrc); }

    int size() { return contexts.size(); }

    void clear() { contexts.clear(); }
}
