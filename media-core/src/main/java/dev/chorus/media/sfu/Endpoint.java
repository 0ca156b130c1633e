package dev.chorus.media.sfu;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.CloseReason;
import dev.chorus.media.transport.SrtpSink;
import dev.chorus.media.transport.TransportListener;
import dev.chorus.media.transport.WebRtcTransport;

/**
 * One transport of a participant as the SFU sees it. The UDP event loop calls {@link #onSrtp} (copy into the
 * worker's ring) and the lifecycle callbacks (handed to the worker); everything else is worker-confined.
 */
final class Endpoint implements SrtpSink, TransportListener {
    final Worker worker;
    final ParticipantImpl participant;
    final TransportRole role;
    Link link;
    /** Set by the worker when it gives the endpoint up; read by the worker and, racily, the producer. */
    volatile boolean closed;
    /** Worker-confined. */
    boolean connected;

    Endpoint(Worker worker, ParticipantImpl participant, TransportRole role) {
        this.worker = worker;
        this.participant = participant;
        this.role = role;
    }

    @Override
    public void onSrtp(WebRtcTransport transport, byte[] buffer, int offset, int length) {
        if (!closed) worker.offer(this, buffer, offset, length);
    }

    @Override
    public void onConnected(WebRtcTransport transport, SrtpProfile profile, long handshakeNanos) {
        worker.execute(() -> participant.onTransportConnected(this));
    }

    @Override
    public void onDtlsFailed(WebRtcTransport transport, DtlsFailure reason) {
        // The precise reason goes to the listener (operator log); the close that follows says DTLS_FAILED.
        worker.execute(() -> participant.onDtlsFailed(this, reason));
    }

    @Override
    public void onClosed(WebRtcTransport transport, CloseReason reason) {
        worker.execute(() -> participant.onTransportClosed(this, reason));
    }

    /** Worker: stop using it and close the transport. */
    void close() {
        if (closed) return;
        closed = true;
        connected = false;
        if (link != null) link.close();
    }
}
