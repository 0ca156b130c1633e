package dev.chorus.media.metrics;

import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.dtls.DtlsStats;
import dev.chorus.media.ice.IceCheckResult;
import dev.chorus.media.ice.StunRouter;
import dev.chorus.media.srtp.SrtpStats;
import dev.chorus.media.transport.DropReason;
import dev.chorus.media.transport.MediaTransportServer;
import dev.chorus.media.transport.TransportCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of the media UDP edge. Everything is read from the plain counters the event loop and DTLS
 * threads already keep (FunctionCounters and Gauges), so binding adds nothing to the packet path. Names follow
 * the team convention: {@code chorus.} prefix, base units; Micrometer adds {@code _total} to counters.
 */
public final class MediaTransportMetrics implements MeterBinder {
    private final MediaTransportServer server;

    public MediaTransportMetrics(MediaTransportServer server) {
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        TransportCounters c = server.counters();
        SrtpStats srtp = server.srtpStats();
        DtlsStats dtls = server.dtlsStats();
        StunRouter router = server.stunRouter();

        Gauge.builder("chorus.media.transports.open", server, MediaTransportServer::openTransports)
                .description("WebRTC transports currently open").register(registry);

        FunctionCounter.builder("chorus.media.packets", c, TransportCounters::packetsIn)
                .tag("direction", "in").description("UDP datagrams received on the media port").register(registry);
        FunctionCounter.builder("chorus.media.packets", c, TransportCounters::packetsOut)
                .tag("direction", "out").description("UDP datagrams sent from the media port").register(registry);
        FunctionCounter.builder("chorus.media.bytes", c, TransportCounters::bytesIn)
                .tag("direction", "in").baseUnit("bytes").register(registry);
        FunctionCounter.builder("chorus.media.bytes", c, TransportCounters::bytesOut)
                .tag("direction", "out").baseUnit("bytes").register(registry);
        FunctionCounter.builder("chorus.media.send.drops", c, TransportCounters::sendBufferFull)
                .tag("reason", "send_buffer_full").description("datagrams a worker dropped: socket send buffer full")
                .register(registry);
        FunctionCounter.builder("chorus.media.send.drops", c, TransportCounters::sendFailed)
                .tag("reason", "send_failed").description("datagrams the kernel refused to send").register(registry);
        FunctionCounter.builder("chorus.media.sendmmsg.calls", c, TransportCounters::sendmmsgCalls)
                .description("sendmmsg system calls of the worker egress (packets out / calls = batch size)")
                .register(registry);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("chorus.media.demux.drops", c, x -> x.drops(reason))
                    .tag("reason", tag(reason)).description("datagrams dropped at the UDP edge").register(registry);
        }

        for (IceCheckResult result : IceCheckResult.values()) {
            boolean valid = result == IceCheckResult.RESPONDED || result == IceCheckResult.ROLE_CONFLICT;
            FunctionCounter.builder("chorus.stun.checks", router, r -> r.count(result))
                    .tag("outcome", valid ? "valid" : "invalid").tag("result", tag(result))
                    .description("STUN packets handled by ICE-lite").register(registry);
        }

        FunctionCounter.builder("chorus.dtls.handshakes", dtls, DtlsStats::succeeded)
                .tag("outcome", "succeeded").tag("reason", "none").register(registry);
        for (DtlsFailure failure : DtlsFailure.values()) {
            FunctionCounter.builder("chorus.dtls.handshakes", dtls, d -> d.failed(failure))
                    .tag("outcome", "failed").tag("reason", tag(failure)).register(registry);
        }
        Gauge.builder("chorus.dtls.handshakes.in.progress", dtls, DtlsStats::inProgress).register(registry);
        FunctionCounter.builder("chorus.dtls.cookie.replies", dtls, DtlsStats::cookieRequestsAnswered)
                .description("stateless HelloVerifyRequests sent").register(registry);
        FunctionCounter.builder("chorus.dtls.drops", dtls, DtlsStats::droppedBusy).tag("reason", "busy").register(registry);
        FunctionCounter.builder("chorus.dtls.drops", dtls, DtlsStats::droppedQueueFull).tag("reason", "queue_full").register(registry);
        Timer succeeded = Timer.builder("chorus.dtls.handshake.duration").tag("outcome", "succeeded").register(registry);
        Timer failed = Timer.builder("chorus.dtls.handshake.duration").tag("outcome", "failed").register(registry);
        dtls.setTimeRecorder((nanos, ok) -> (ok ? succeeded : failed).record(nanos, TimeUnit.NANOSECONDS));

        FunctionCounter.builder("chorus.srtp.packets", srtp, s -> s.rtpUnprotected).tag("kind", "rtp")
                .description("SRTP packets authenticated and decrypted").register(registry);
        FunctionCounter.builder("chorus.srtp.packets", srtp, s -> s.rtcpUnprotected).tag("kind", "rtcp").register(registry);
        FunctionCounter.builder("chorus.srtp.drops", srtp, s -> s.authFailures).tag("reason", "auth").register(registry);
        FunctionCounter.builder("chorus.srtp.drops", srtp, s -> s.replays).tag("reason", "replay").register(registry);
        FunctionCounter.builder("chorus.srtp.drops", srtp, s -> s.invalid).tag("reason", "invalid").register(registry);
        FunctionCounter.builder("chorus.srtp.drops", srtp, s -> s.tooManyStreams).tag("reason", "too_many_streams").register(registry);
    }

    private static String tag(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
