package dev.chorus.media.sfu;

import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.transport.MediaChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One publisher's negotiated video track and one subscriber's started consumer of it, wired straight onto their
 * room's worker: no sockets, no DTLS, no signaling. What the worker-level tests of forwarding, simulcast and the
 * send-side estimate start from; the links are whatever {@link MediaChannel} the test wants to observe or shape.
 */
final class WiredTrack {
    final Producer track;
    final Consumer consumer;

    /** The publish plan the server answers {@code offerSdp} with (fixed ICE credentials, fingerprint and candidate). */
    static PublishNegotiation.Plan plan(String offerSdp) {
        return PublishNegotiation.answer(PublishNegotiation.read(offerSdp, Map.of()), MediaRights.all(),
                new IceCredentials("srvu", "serverpasswordserverpass"),
                new Sdp.Fingerprint("sha-256", "AB:".repeat(31) + "AB"),
                List.of(new InetSocketAddress("127.0.0.1", 40000)));
    }

    /**
     * Connects {@code pub}'s publish endpoint to {@code pubLink} and {@code sub}'s subscribe endpoint to
     * {@code subLink}, configures the plan's first track on {@code pub} and subscribes {@code sub} to it, as if both
     * had negotiated and the subscriber's answer had been applied.
     */
    WiredTrack(SfuConfig config, ParticipantImpl pub, ParticipantImpl sub, PublishNegotiation.Plan plan,
            MediaChannel pubLink, MediaChannel subLink) {
        Worker worker = pub.room.worker;
        Endpoint pe = new Endpoint(worker, pub, TransportRole.PUBLISH);
        pe.link = pubLink;
        pe.connected = true;
        pub.transports.publish = pe;
        pub.publishing.ssrcFilter = plan.ssrcFilter();
        pub.publishing.extensions = plan.extensions();
        PublishNegotiation.TrackSpec spec = plan.tracks().getFirst();
        track = new Producer(pub, spec.mid(), new TrackInfo(pub.id, spec.mid(), TrackKind.VIDEO, false), 90000, config);
        track.configure(spec, plan.extensions().section(spec.mid()));
        pub.publishing.tracks.put(spec.mid(), track);

        Endpoint se = new Endpoint(worker, sub, TransportRole.SUBSCRIBE);
        se.link = subLink;
        se.connected = true;
        sub.transports.subscribe = se;
        sub.subscribing.subscribe(track, false);
        consumer = sub.subscribing.consumers.getFirst();
        consumer.negotiated = true;
        consumer.started = true;
    }
}
