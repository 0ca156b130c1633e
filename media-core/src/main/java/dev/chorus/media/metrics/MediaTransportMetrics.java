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
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of the media UDP edge. Everything is read from the plain counters the event loop and DTLS
 * threads already keep (FunctionCounters and Gauges), so binding adds nothing to the packet path. Names follow
 * the team convention: {@code chorus.} prefix, base units; Micrometer adds {@code _total} to counters.
 */
public final class MediaTransportMetrics implements MeterBinder {
    private final MediaTransportServer server;
    private final List<SrtpStats> inboundSrtp;

    public MediaTransportMetrics(MediaTransportServer server) {
        this(server, List.of());
    }

    /**
     * @param workerInboundSrtp inbound SRTP counters kept outside the server: a transport attached to the SFU
     *     decrypts on its room's worker and counts there ({@code Sfu.inboundSrtpStats()}); without them
     *     {@code chorus_srtp_packets_total} stayed at 0 while media flowed
     */
    public MediaTransportMetrics(MediaTransportServer server, List<SrtpStats> workerInboundSrtp) {
        this.server = server;
        this.inboundSrtp = List.copyOf(workerInboundSrtp);
    }

    /**
     * One SRTP outcome summed over the server's own counters and every worker's. The meters reference the server
     * (Micrometer holds a function meter's object weakly; the server outlives its meters) and this binder through
     * the lambda.
     */
    private long srtp(ToLongFunction<SrtpStats> f) {
        long total = f.applyAsLong(server.srtpStats());
        for (SrtpStats s : inboundSrtp) total += f.applyAsLong(s);
        return total;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        TransportCounters c = server.counters();
        DtlsStats dtls = server.dtlsStats();
        StunRouter router = server.stunRouter();

        Gauge.builder("chorus.media.transports.open", server, MediaTransportServer::openTransports)
                .description("WebRTC transports currently open").register(registry);

        FunctionCounter.builder("chorus.media.packets", c, TransportCounters::packetsIn)
                .tag("direction", "in").description("UDP datagrams received on the media port").register(registry);
        FunctionCounter.builder("chorus.media.packets", c, TransportCounters::packetsOut)
                .tag("direction", "out").description("UDP datagrams sent from the media port").register(registry);
        FunctionCounter.builder("chorus.media.bytes", c, TransportCounters::bytesIn)
                .tag("direction", "in").baseUnit("bytes")
                .description("UDP payload bytes received and sent on the media port").register(registry);
        FunctionCounter.builder("chorus.media.bytes", c, TransportCounters::bytesOut)
                .tag("direction", "out").baseUnit("bytes")
                .description("UDP payload bytes received and sent on the media port").register(registry);
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
                .tag("outcome", "succeeded").tag("reason", "none")
                .description("DTLS handshakes finished, by outcome and failure reason").register(registry);
        for (DtlsFailure failure : DtlsFailure.values()) {
            FunctionCounter.builder("chorus.dtls.handshakes", dtls, d -> d.failed(failure))
                    .tag("outcome", "failed").tag("reason", tag(failure))
                    .description("DTLS handshakes finished, by outcome and failure reason").register(registry);
        }
        Gauge.builder("chorus.dtls.handshakes.in.progress", dtls, DtlsStats::inProgress)
                .description("DTLS handshakes running now").register(registry);
        FunctionCounter.builder("chorus.dtls.cookie.replies", dtls, DtlsStats::cookieRequestsAnswered)
                .description("stateless HelloVerifyRequests sent").register(registry);
        String dtlsDrops = "DTLS records dropped before a handshake could use them, by reason";
        FunctionCounter.builder("chorus.dtls.drops", dtls, DtlsStats::droppedBusy).tag("reason", "busy")
                .description(dtlsDrops).register(registry);
        FunctionCounter.builder("chorus.dtls.drops", dtls, DtlsStats::droppedQueueFull).tag("reason", "queue_full")
                .description(dtlsDrops).register(registry);
        String dtlsTime = "DTLS handshake time from the first ClientHello to the end, by outcome";
        Timer succeeded = Timer.builder("chorus.dtls.handshake.duration").tag("outcome", "succeeded")
                .description(dtlsTime).register(registry);
        Timer failed = Timer.builder("chorus.dtls.handshake.duration").tag("outcome", "failed")
                .description(dtlsTime).register(registry);
        dtls.setTimeRecorder((nanos, ok) -> (ok ? succeeded : failed).record(nanos, TimeUnit.NANOSECONDS));

        String srtpPackets = "SRTP and SRTCP packets authenticated and decrypted";
        FunctionCounter.builder("chorus.srtp.packets", server, m -> srtp(x -> x.rtpUnprotected)).tag("kind", "rtp")
                .description(srtpPackets).register(registry);
        FunctionCounter.builder("chorus.srtp.packets", server, m -> srtp(x -> x.rtcpUnprotected)).tag("kind", "rtcp")
                .description(srtpPackets).register(registry);
        String srtpDrops = "inbound SRTP and SRTCP packets dropped, by reason";
        srtpDrop(registry, srtpDrops, "auth", x -> x.authFailures);
        srtpDrop(registry, srtpDrops, "replay", x -> x.replays);
        srtpDrop(registry, srtpDrops, "invalid", x -> x.invalid);
        srtpDrop(registry, srtpDrops, "too_many_streams", x -> x.tooManyStreams);
    }

    private void srtpDrop(MeterRegistry registry, String help, String reason, ToLongFunction<SrtpStats> f) {
        FunctionCounter.builder("chorus.srtp.drops", server, m -> srtp(f)).tag("reason", reason).description(help)
                .register(registry);
    }

    private static String tag(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
