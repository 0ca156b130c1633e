package dev.chorus.media.sfu;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.srtp.SrtpAuthFailureAlarm;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.CloseReason;
import dev.chorus.media.transport.MediaChannel;

/**
 * One transport of a participant as the SFU sees it. The network thread calls {@link #onDatagram} (copy into the
 * worker's ring) and the lifecycle callbacks (handed to the worker); everything else is worker-confined.
 */
final class Endpoint implements MediaChannel.Events {
    final Worker worker;
    final ParticipantImpl participant;
    final TransportRole role;
    MediaChannel link;
    /** Set by the worker when it gives the endpoint up; read by the worker and, racily, the producer. */
    volatile boolean closed;
    /** Worker-confined. */
    boolean connected;
    /** Worker-confined: when this transport's SRTP authentication failures deserve a WARN. */
    final SrtpAuthFailureAlarm authFailures = new SrtpAuthFailureAlarm();

    Endpoint(Worker worker, ParticipantImpl participant, TransportRole role) {
        this.worker = worker;
        this.participant = participant;
        this.role = role;
    }

    @Override
    public void onDatagram(byte[] buffer, int offset, int length) {
        if (!closed) worker.offer(this, buffer, offset, length);
    }

    @Override
    public void onData(byte[] packet) {
        if (!closed) worker.execute(() -> participant.data.onPacket(this, packet));
    }

    @Override
    public void onConnected(SrtpProfile profile) {
        worker.execute(() -> participant.onTransportConnected(this));
    }

    @Override
    public void onDtlsFailed(DtlsFailure reason) {
        // The precise reason goes to the listener (operator log); the close that follows says DTLS_FAILED.
        worker.execute(() -> participant.onDtlsFailed(this, reason));
    }

    @Override
    public void onClosed(CloseReason reason) {
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
