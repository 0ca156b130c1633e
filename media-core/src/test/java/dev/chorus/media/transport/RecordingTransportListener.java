package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.srtp.SrtpProfile;
import java.util.concurrent.CompletableFuture;

/** Test listener: completes futures with the transport's lifecycle events. */
public final class RecordingTransportListener implements TransportListener {
    public final CompletableFuture<SrtpProfile> connected = new CompletableFuture<>();
    public final CompletableFuture<DtlsFailure> dtlsFailed = new CompletableFuture<>();
    public final CompletableFuture<CloseReason> closed = new CompletableFuture<>();

    @Override public void onConnected(WebRtcTransport t, SrtpProfile profile, long nanos) { connected.complete(profile); }
    @Override public void onDtlsFailed(WebRtcTransport t, DtlsFailure reason) { dtlsFailed.complete(reason); }
    @Override public void onClosed(WebRtcTransport t, CloseReason reason) { closed.complete(reason); }
}
