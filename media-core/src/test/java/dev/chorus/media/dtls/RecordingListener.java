package dev.chorus.media.dtls;

import dev.chorus.media.srtp.SrtpKeys;
import java.util.concurrent.CompletableFuture;

/** Test listener: completes futures with the session's outcome. */
final class RecordingListener implements DtlsListener {
    final CompletableFuture<SrtpKeys> connected = new CompletableFuture<>();
    final CompletableFuture<DtlsFailure> failed = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    @Override public void onConnected(SrtpKeys keys, long handshakeNanos) { connected.complete(keys); }
    @Override public void onFailed(DtlsFailure reason, long handshakeNanos) { failed.complete(reason); }
    @Override public void onClosed() { closed.complete(null); }
}
