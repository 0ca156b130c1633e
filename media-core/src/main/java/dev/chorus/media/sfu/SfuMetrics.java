package dev.chorus.media.sfu;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToLongFunction;

/**
 * Exports the SFU's plain per-worker counters to Micrometer by reading them (nothing is recorded per packet):
 * {@code chorus.sfu.rooms.open}, {@code chorus.sfu.participants}, {@code chorus.sfu.tracks},
 * {@code chorus.sfu.packets{direction=in|forwarded}}, {@code chorus.sfu.bytes.forwarded},
 * {@code chorus.sfu.drops{reason}} (including {@code queue_full}), {@code chorus.sfu.nacks{outcome}} (subscribers' NACKs),
 * {@code chorus.sfu.nacks.upstream{outcome=sent|requested|recovered|given_up}} (the SFU's own, to publishers),
 * {@code chorus.sfu.keyframe.requests{direction=received|sent}}, {@code chorus.sfu.rtcp{direction}},
 * {@code chorus.sfu.transport.cc.feedbacks}, {@code chorus.sfu.send.failures},
 * {@code chorus.sfu.simulcast.layer.switches}, {@code chorus.sfu.dynacast.updates}; bandwidth estimation (issue
 * 12): {@code chorus.sfu.bwe.estimate} (distribution of subscribers' estimates, each recorded once a second),
 * {@code chorus.sfu.bwe.probes}, {@code chorus.sfu.bwe.probe.packets}, {@code chorus.sfu.bwe.paused} (videos paused
 * for bandwidth), {@code chorus.sfu.simulcast.target.changes{reason=bandwidth|view|publisher}};
 * {@code chorus.sfu.packet.delay.within{stage=queued|sent, seconds}} (issue 11: a published packet's time in the server, from the
 * event loop's hand-over to the worker's pick-up and to its sends, cumulative buckets);
 * {@code chorus.sfu.subscriptions.over.capacity}, {@code chorus.sfu.subscriber.answers.stale} (answers to a
 * subscriber offer withdrawn or superseded while they were on their way, ignored).
 */
final class SfuMetrics implements MeterBinder {
    private final Sfu sfu;

    SfuMetrics(Sfu sfu) {
        this.sfu = sfu;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("chorus.sfu.rooms.open", sfu, Sfu::openRooms).description("open rooms").register(registry);
        Gauge.builder("chorus.sfu.participants", sfu, Sfu::participantCount).description("participants in rooms").register(registry);
        Gauge.builder("chorus.sfu.tracks", sfu, Sfu::trackCount).description("published tracks").register(registry);
        counter(registry, "chorus.sfu.packets", "RTP packets received from publishers and forwarded to subscribers", SfuCounters::packetsIn, "direction", "in");
        counter(registry, "chorus.sfu.packets", "RTP packets received from publishers and forwarded to subscribers", SfuCounters::packetsForwarded, "direction", "forwarded");
        counter(registry, "chorus.sfu.bytes.forwarded", "RTP bytes forwarded to subscribers", SfuCounters::bytesForwarded);
        for (SfuDropReason reason : SfuDropReason.values()) {
            counter(registry, "chorus.sfu.drops", "packets the SFU dropped, by reason", c -> c.drops(reason), "reason",
                    reason.name().toLowerCase(java.util.Locale.ROOT));
        }
        counter(registry, "chorus.sfu.nacks", "NACKs from subscribers, by outcome", SfuCounters::nacksReceived, "outcome", "received");
        counter(registry, "chorus.sfu.nacks", "NACKs from subscribers, by outcome", SfuCounters::nacksAnswered, "outcome", "answered");
        counter(registry, "chorus.sfu.nacks", "NACKs from subscribers, by outcome", SfuCounters::nacksMissed, "outcome", "missed");
        counter(registry, "chorus.sfu.nacks", "NACKs from subscribers, by outcome", SfuCounters::nacksOverBudget, "outcome", "over_budget");
        counter(registry, "chorus.sfu.nacks", "NACKs from subscribers, by outcome", SfuCounters::nacksOverBandwidth, "outcome", "over_bandwidth");
        String upstream = "the SFU's own NACKs to publishers for holes in their video streams: NACK packets sent, sequence numbers requested (retries count again), recovered, given up";
        counter(registry, "chorus.sfu.nacks.upstream", upstream, SfuCounters::nacksSentUpstream, "outcome", "sent");
        counter(registry, "chorus.sfu.nacks.upstream", upstream, SfuCounters::nacksRequested, "outcome", "requested");
        counter(registry, "chorus.sfu.nacks.upstream", upstream, SfuCounters::nacksRecovered, "outcome", "recovered");
        counter(registry, "chorus.sfu.nacks.upstream", upstream, SfuCounters::nacksGivenUp, "outcome", "given_up");
        counter(registry, "chorus.sfu.keyframe.requests", "keyframe requests (PLI/FIR) received from subscribers and sent to publishers", SfuCounters::keyframeRequestsReceived, "direction", "received");
        counter(registry, "chorus.sfu.keyframe.requests", "keyframe requests (PLI/FIR) received from subscribers and sent to publishers", SfuCounters::plisSent, "direction", "sent");
        counter(registry, "chorus.sfu.rtcp", "RTCP compound packets received and sent", SfuCounters::rtcpIn, "direction", "in");
        counter(registry, "chorus.sfu.rtcp", "RTCP compound packets received and sent", SfuCounters::rtcpSent, "direction", "out");
        counter(registry, "chorus.sfu.transport.cc.feedbacks", "transport-wide congestion control feedback packets sent", SfuCounters::transportCcFeedbacksSent);
        counter(registry, "chorus.sfu.send.failures", "packets the SFU could not hand to a transport", SfuCounters::sendFailures);
        counter(registry, "chorus.sfu.simulcast.layer.switches", "spatial layer switches of simulcast subscriptions", SfuCounters::layerSwitches);
        counter(registry, "chorus.sfu.dynacast.updates", "simulcast layer sets sent to publishers (dynacast pause/resume)", SfuCounters::layerMasksSent);
        counter(registry, "chorus.sfu.bwe.probes", "bandwidth probes started before an up-switch", SfuCounters::probesStarted);
        counter(registry, "chorus.sfu.bwe.probe.packets", "padding packets sent for bandwidth probes", SfuCounters::probePacketsSent);
        String sentByKind = "bytes on the wire sent to subscribers with a send-side estimate, by kind: media, retransmission (NACK answers), probe (padding and RTX copies)";
        counter(registry, "chorus.sfu.bwe.sent.bytes", sentByKind, SfuCounters::bweMediaBytes, "kind", "media");
        counter(registry, "chorus.sfu.bwe.sent.bytes", sentByKind, SfuCounters::bweRetransmissionBytes, "kind", "retransmission");
        counter(registry, "chorus.sfu.bwe.sent.bytes", sentByKind, SfuCounters::bweProbeBytes, "kind", "probe");
        counter(registry, "chorus.sfu.bwe.paused", "videos paused for a subscriber because even their lowest layer did not fit its estimate", SfuCounters::bandwidthPauses);
        for (SfuCounters.SwitchReason reason : SfuCounters.SwitchReason.values()) {
            counter(registry, "chorus.sfu.simulcast.target.changes", "changes of a subscriber's target simulcast layer, by reason",
                    c -> c.targetChanges(reason), "reason", reason.name().toLowerCase(java.util.Locale.ROOT));
        }
        sfu.estimatesTo(io.micrometer.core.instrument.DistributionSummary.builder("chorus.sfu.bwe.estimate")
                .description("subscribers' send-side bandwidth estimates (bytes per second: Prometheus' base unit), each sampled once a second")
                .baseUnit("bytes_per_second")
                // 100 k, 250 k, 500 k, 1 M, 2 M, 5 M, 10 M bit/s
                .serviceLevelObjectives(12_500, 31_250, 62_500, 125_000, 250_000, 625_000, 1_250_000)
                .register(registry));
        String delay = "published packets whose time inside the SFU was at most the given seconds (cumulative): stage queued = from the UDP event loop's hand-over until the worker picked them up (its wake-up), sent = until the worker had sent everything it made of them";
        for (int b = 0; b < DelayHistogram.buckets(); b++) {
            int bucket = b;
            FunctionCounter.builder("chorus.sfu.packet.delay.within", sfu, s -> s.delayCount(false, bucket)).description(delay)
                    .tags("stage", "queued", "seconds", DelayHistogram.le(b)).register(registry);
            FunctionCounter.builder("chorus.sfu.packet.delay.within", sfu, s -> s.delayCount(true, bucket)).description(delay)
                    .tags("stage", "sent", "seconds", DelayHistogram.le(b)).register(registry);
        }
        counter(registry, "chorus.sfu.subscriptions.over.capacity", "subscriptions refused because a participant had too many", SfuCounters::subscriptionsOverCapacity);
        counter(registry, "chorus.sfu.subscriber.answers.stale", "subscriber answers ignored because the offer they answer was no longer outstanding (superseded or withdrawn while the answer was on its way)", SfuCounters::staleSubscriberAnswers);
    }

    private void counter(MeterRegistry registry, String name, String help, ToLongFunction<SfuCounters> f,
                         String... tags) {
        FunctionCounter.builder(name, sfu, s -> s.sum(f)).description(help).tags(tags).register(registry);
    }
}
