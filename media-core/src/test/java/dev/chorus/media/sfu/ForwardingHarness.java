package dev.chorus.media.sfu;

import dev.chorus.media.rtp.SsrcFilter;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.simulcast.SimulcastOffer;
import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Benchmark support (bench module, load tests): one room on a worker that is driven by the calling thread, one
 * publisher with a video track and {@code n} subscribers, wired with real SRTP contexts but no sockets. {@link
 * #forwardNext()} runs the worker's real per-packet path — decrypt with the publisher's context, SSRC filter, track
 * lookup, retransmission cache, per-subscriber header rewrite and re-encryption — and counts what would be written.
 * Not for production use; single-threaded.
 */
public final class ForwardingHarness implements AutoCloseable {
    private static final long PUB_SSRC = 0x1234_5678L;

    private final Sfu sfu;
    private final Worker worker;
    private final Endpoint publisherEndpoint;
    private final List<LoopbackLink> sinks = new ArrayList<>();
    private final List<SrtpKeys> subscriberKeys = new ArrayList<>();
    private final byte[][] ring;
    private final int[] ringLengths;
    private final byte[] work = new byte[PacketRing.SLOT_BYTES];
    private final SrtpKeys publisherKeys;
    private final SrtpProfile profile;
    private int next;
    private LoopbackLink publisherLink;

    /**
     * @param subscribers  receivers of the track
     * @param payloadBytes RTP payload size (a 24-byte header with transport-cc and mid extensions precedes it)
     * @param ringPackets  distinct protected packets prepared up front (replayed in a loop; contexts are renewed when
     *                     the loop restarts, because SRTP accepts each index once)
     */
    public ForwardingHarness(int subscribers, int payloadBytes, int ringPackets, SrtpProfile profile) {
        this(subscribers, payloadBytes, ringPackets, profile, false);
    }

    /**
     * @param simulcast the track is a 3-layer SSRC-less simulcast track (rids q, h, f; issue 12) whose top layer the
     *                  ring carries and every subscriber selects: the same packets and header size as the
     *                  single-stream ring, plus the layer lookup, the VP8 descriptor parse and the per-subscriber
     *                  {@link dev.chorus.media.simulcast.LayerSelector} with picture id rewriting
     */
    public ForwardingHarness(int subscribers, int payloadBytes, int ringPackets, SrtpProfile profile,
                             boolean simulcast) {
        this.profile = profile;
        SfuConfig config = SfuConfig.defaults().withWorkers(1);
        this.sfu = new Sfu(config, null);
        this.worker = sfu.workers()[0];
        RoomImpl room = new RoomImpl("bench", worker, sfu);
        ParticipantImpl publisher = new ParticipantImpl("publisher", room, MediaRights.all(), ParticipantListener.NONE);
        room.participants.put(publisher.id, publisher);
        publisherKeys = randomKeys(profile);
        publisherEndpoint = new Endpoint(worker, publisher, TransportRole.PUBLISH);
        publisherEndpoint.connected = true;
        publisher.transports.publish = publisherEndpoint;
        renewPublisher();
        SessionDescription sd = new SessionDescription(new Sdp.Origin("-", "1", "1", "IN", "IP4", "127.0.0.1"));
        MediaDescription m = new MediaDescription("video", 9, "UDP/TLS/RTP/SAVPF");
        m.mid("v").direction(Sdp.Direction.SENDONLY);
        if (simulcast) {
            m.extmaps().add(new Sdp.Extmap(4, null, SimulcastOffer.MID_URI, null));
            m.extmaps().add(new Sdp.Extmap(5, null, SimulcastOffer.RID_URI, null));
            for (String rid : List.of("f", "h", "q")) m.rids().add(new Sdp.Rid(rid, "send", null));
        } else {
            m.ssrcs().add(new Sdp.Ssrc(PUB_SSRC, "cname", "bench"));
        }
        sd.media().add(m);
        publisher.publishing.ssrcFilter = SsrcFilter.fromDescription(sd, simulcast ? 6 : 0);
        // transport-cc under id 3 on both sides (as Chromium negotiates it).
        m.extmaps().add(new Sdp.Extmap(3, null, SectionExtensions.TWCC_URI, null));
        SectionExtensions twcc = SectionExtensions.of(m);
        Producer track = new Producer(publisher, "v", new TrackInfo("publisher", "v", TrackKind.VIDEO, false),
                90000, config);
        track.ssrc = simulcast ? -1 : PUB_SSRC;
        track.payloadType = 96;
        if (simulcast) track.simulcast = new SimulcastLayers(new SimulcastOffer(List.of("q", "h", "f"), 5, 0), 90000, config);
        track.extensions = twcc;
        publisher.publishing.tracks.put("v", track);
        for (int i = 0; i < subscribers; i++) {
            ParticipantImpl s = new ParticipantImpl("s" + i, room, MediaRights.all(), ParticipantListener.NONE);
            room.participants.put(s.id, s);
            SrtpKeys keys = randomKeys(profile);
            subscriberKeys.add(keys);
            LoopbackLink link = new LoopbackLink(null, SrtpEncryptor.forServer(keys, 8, new SrtpStats()));
            Endpoint ep = new Endpoint(worker, s, TransportRole.SUBSCRIBE);
            ep.link = link;
            ep.connected = true;
            s.transports.subscribe = ep;
            s.subscribing.subscribe(track, false);
            for (Consumer c : s.subscribing.consumers) {
                c.answered = twcc;
                c.mapExtensions();
                c.negotiated = true;
                c.started = true;
                if (simulcast) c.layers().selector.setTarget(2, Integer.MAX_VALUE);
            }
            sinks.add(link);
        }
        // Packets as the browser sends them, protected with the publisher's (client-side) keys.
        ring = new byte[ringPackets][];
        ringLengths = new int[ringPackets];
        SrtpEncryptor client = SrtpEncryptor.forClient(publisherKeys, 4, new SrtpStats());
        PacketBuffer view = new PacketBuffer();
        for (int i = 0; i < ringPackets; i++) {
            byte[] p = new byte[24 + payloadBytes + SrtpEncryptor.MAX_OVERHEAD];
            p[0] = (byte) 0x90;
            p[1] = 96;
            p[2] = (byte) (i >> 8);
            p[3] = (byte) i;
            long ts = 3000L * i;
            p[4] = (byte) (ts >> 24); p[5] = (byte) (ts >> 16); p[6] = (byte) (ts >> 8); p[7] = (byte) ts;
            p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
            p[12] = (byte) 0xBE; p[13] = (byte) 0xDE; p[15] = 2;
            p[16] = 0x31; p[17] = (byte) (i >> 8); p[18] = (byte) i;
            p[19] = 0x40; p[20] = 'v';
            for (int k = 0; k < payloadBytes; k++) p[24 + k] = (byte) (k * 31 + i);
            // A VP8 payload descriptor (both modes, so the payloads are alike): X, I (15-bit), L, T; a picture
            // every 4 packets, the first one a key frame.
            boolean start = i % 4 == 0;
            int pictureId = (i / 4) & 0x7FFF;
            p[24] = (byte) (0x80 | (start ? 0x10 : 0));
            p[25] = (byte) 0xE0;
            p[26] = (byte) (0x80 | (pictureId >>> 8));
            p[27] = (byte) pictureId;
            p[28] = (byte) (i / 4);
            p[29] = 0;
            p[30] = (byte) (start && i == 0 ? 0x00 : 0x01);
            if (simulcast) {
                p[21] = 0x50; p[22] = 'f'; // rid f (the top layer) in the padding the single stream leaves
            }
            view.wrap(p, 0, 24 + payloadBytes);
            if (client.protectRtp(view) != SrtpResult.OK) throw new IllegalStateException("protect");
            ring[i] = p;
            ringLengths[i] = view.getLength();
        }
    }

    private static SrtpKeys randomKeys(SrtpProfile profile) {
        byte[] material = new byte[profile.keyingMaterialLength()];
        ThreadLocalRandom.current().nextBytes(material);
        return SrtpKeys.fromKeyingMaterial(profile, material);
    }

    private void renewPublisher() {
        publisherLink = new LoopbackLink(SrtpDecryptor.forServer(publisherKeys, 4, worker.inboundSrtp), null);
        publisherEndpoint.link = publisherLink;
    }

    /** Forwards the next published packet to every subscriber (the worker's per-packet path). */
    public void forwardNext() {
        if (next == ring.length) {
            next = 0;
            renewPublisher();
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).encryptor = SrtpEncryptor.forServer(subscriberKeys.get(i), 8, new SrtpStats());
            }
        }
        int len = ringLengths[next];
        System.arraycopy(ring[next++], 0, work, 0, len);
        worker.process(publisherEndpoint, work, len);
        worker.flushIfNeeded();
    }

    /** Packets protected for subscribers so far. */
    public long packetsSent() {
        long n = 0;
        for (LoopbackLink l : sinks) n += l.sent;
        return n;
    }

    /** Packets the worker dropped (should stay 0). */
    public long drops() {
        long n = 0;
        for (SfuDropReason r : SfuDropReason.values()) n += worker.counters.drops(r);
        return n + worker.counters.sendFailures;
    }

    public SrtpProfile profile() { return profile; }

    @Override
    public void close() { }
}
