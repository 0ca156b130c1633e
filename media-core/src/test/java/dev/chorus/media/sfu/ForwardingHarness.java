package dev.chorus.media.sfu;

import dev.chorus.media.rtp.SsrcFilter;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.simulcast.LayerSelector;
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
    private final Layout layout;
    private final List<LayerSelector> selectors = new ArrayList<>();
    private final List<Integer> selectorTargets = new ArrayList<>();
    private int next;
    private LoopbackLink publisherLink;

    /**
     * What is published and who receives what. Pairs with the same packet size and count per operation compare as
     * ratios: {@link #SINGLE} vs {@link #SIMULCAST_TOP} (every subscriber gets every published packet) and {@link
     * #SINGLE_PER_LAYER} vs {@link #SIMULCAST_MIX} (each published packet goes to the third of the subscribers that
     * receive its stream).
     */
    public enum Layout {
        /** One single-stream VP8 track (announced SSRC), every subscriber receives it. */
        SINGLE(1, false),
        /**
         * One 3-layer SSRC-less simulcast VP8 track (rids q, h, f; SSRCs bound by their first packets' mid + rid,
         * as Chromium sends them); the ring carries only the top layer, which every subscriber's selector targets.
         */
        SIMULCAST_TOP(1, true),
        /**
         * The same simulcast track; the ring interleaves its three layers (one SSRC each) and subscriber {@code i}
         * targets layer {@code i % 3}, so every packet passes every consumer's {@code LayerSelector} and a third
         * of them forward it.
         */
        SIMULCAST_MIX(3, true),
        /**
         * The single-stream reference for {@link #SIMULCAST_MIX}: three single-stream VP8 tracks of one publisher,
         * the ring interleaves them, subscriber {@code i} receives track {@code i % 3}.
         */
        SINGLE_PER_LAYER(3, false);

        /** Distinct RTP streams in the ring. */
        final int streams;
        final boolean simulcast;

        Layout(int streams, boolean simulcast) {
            this.streams = streams;
            this.simulcast = simulcast;
        }
    }

    /** {@link Layout#SINGLE}. */
    public ForwardingHarness(int subscribers, int payloadBytes, int ringPackets, SrtpProfile profile) {
        this(subscribers, payloadBytes, ringPackets, profile, Layout.SINGLE);
    }

    /** @param simulcast {@link Layout#SIMULCAST_TOP} instead of {@link Layout#SINGLE} */
    public ForwardingHarness(int subscribers, int payloadBytes, int ringPackets, SrtpProfile profile,
                             boolean simulcast) {
        this(subscribers, payloadBytes, ringPackets, profile, simulcast ? Layout.SIMULCAST_TOP : Layout.SINGLE);
    }

    /**
     * @param subscribers  receivers (of the track, or spread over the layers / tracks: see {@link Layout})
     * @param payloadBytes RTP payload size, a VP8 payload descriptor first (a 24-byte header with transport-cc and
     *                     mid extensions, and rid where a simulcast layer binds, precedes it)
     * @param ringPackets  distinct protected packets prepared up front (replayed in a loop; contexts are renewed when
     *                     the loop restarts, because SRTP accepts each index once)
     */
    public ForwardingHarness(int subscribers, int payloadBytes, int ringPackets, SrtpProfile profile, Layout layout) {
        this.profile = profile;
        this.layout = layout;
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
        boolean simulcast = layout.simulcast;
        int tracks = simulcast ? 1 : layout.streams;
        SessionDescription sd = new SessionDescription(new Sdp.Origin("-", "1", "1", "IN", "IP4", "127.0.0.1"));
        List<MediaDescription> sections = new ArrayList<>();
        for (int t = 0; t < tracks; t++) {
            MediaDescription m = new MediaDescription("video", 9, "UDP/TLS/RTP/SAVPF");
            m.mid(mid(t)).direction(Sdp.Direction.SENDONLY);
            m.extmaps().add(new Sdp.Extmap(4, null, SimulcastOffer.MID_URI, null));
            if (simulcast) {
                m.extmaps().add(new Sdp.Extmap(5, null, SimulcastOffer.RID_URI, null));
                for (String rid : List.of("f", "h", "q")) m.rids().add(new Sdp.Rid(rid, "send", null));
            } else {
                m.ssrcs().add(new Sdp.Ssrc(ssrc(t), "cname", "bench"));
            }
            sd.media().add(m);
            sections.add(m);
        }
        publisher.publishing.ssrcFilter = SsrcFilter.fromDescription(sd, simulcast ? 6 : 0);
        List<Producer> producers = new ArrayList<>();
        for (int t = 0; t < tracks; t++) {
            MediaDescription m = sections.get(t);
            // transport-cc under id 3 on both sides (as Chromium negotiates it).
            m.extmaps().add(new Sdp.Extmap(3, null, SectionExtensions.TWCC_URI, null));
            SectionExtensions twcc = SectionExtensions.of(m);
            Producer track = new Producer(publisher, mid(t), new TrackInfo("publisher", mid(t), TrackKind.VIDEO, false),
                    90000, config);
            track.ssrc = simulcast ? -1 : ssrc(t);
            track.payloadType = 96;
            if (simulcast) {
                track.simulcast = new SimulcastLayers(new SimulcastOffer(List.of("q", "h", "f"), 5, 0), 90000, config);
            }
            track.extensions = twcc;
            publisher.publishing.tracks.put(mid(t), track);
            producers.add(track);
        }
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
            Producer track = producers.get(i % tracks);
            s.subscribing.subscribe(track, false);
            for (Consumer c : s.subscribing.consumers) {
                c.answered = track.extensions;
                c.mapExtensions();
                c.negotiated = true;
                c.started = true;
                if (simulcast) {
                    int target = layout == Layout.SIMULCAST_MIX ? i % 3 : 2;
                    c.layers().selector.setTarget(target, Integer.MAX_VALUE);
                    selectors.add(c.layers().selector);
                    selectorTargets.add(target);
                }
            }
            sinks.add(link);
        }
        // Packets as the browser sends them, protected with the publisher's (client-side) keys.
        int perStream = ringPackets / layout.streams;
        ring = new byte[perStream * layout.streams][];
        ringLengths = new int[ring.length];
        SrtpEncryptor client = SrtpEncryptor.forClient(publisherKeys, 4 * layout.streams, new SrtpStats());
        PacketBuffer view = new PacketBuffer();
        for (int i = 0; i < ring.length; i++) {
            int stream = i % layout.streams;
            int k = i / layout.streams;
            byte[] p = new byte[24 + payloadBytes + SrtpEncryptor.MAX_OVERHEAD];
            // The top layer of SIMULCAST_TOP is stream 2 of the simulcast SSRCs / rids.
            int layer = layout == Layout.SIMULCAST_TOP ? 2 : stream;
            writePacket(p, payloadBytes, k, simulcast ? simulcastSsrc(layer) : ssrc(stream),
                    simulcast ? 'v' : mid(stream).charAt(0), simulcast && k < PACKETS_PER_PICTURE ? RIDS[layer] : 0);
            view.wrap(p, 0, 24 + payloadBytes);
            if (client.protectRtp(view) != SrtpResult.OK) throw new IllegalStateException("protect");
            ring[i] = p;
            ringLengths[i] = view.getLength();
        }
    }

    private static final int PACKETS_PER_PICTURE = 4;
    private static final char[] RIDS = {'q', 'h', 'f'};
    /** Chromium's default VP8 temporal pattern with three temporal layers (L1T3): TID per picture. */
    private static final int[] TIDS = {0, 2, 1, 2};

    /**
     * The {@code k}-th packet of one stream: 12-byte header, a one-byte extension block (transport-cc, mid, and the
     * rid or padding: the same 12 bytes either way), then a VP8 payload descriptor (X, I with a 15-bit picture id,
     * L, T; RFC 7741): a picture every 4 packets, TIDs 0-2-1-2, the stream's first picture a key frame.
     */
    private static void writePacket(byte[] p, int payloadBytes, int k, long ssrc, char mid, char rid) {
        p[0] = (byte) 0x90;
        int picture = k / PACKETS_PER_PICTURE;
        boolean start = k % PACKETS_PER_PICTURE == 0;
        boolean last = k % PACKETS_PER_PICTURE == PACKETS_PER_PICTURE - 1;
        p[1] = (byte) ((last ? 0x80 : 0) | 96);
        p[2] = (byte) (k >> 8);
        p[3] = (byte) k;
        long ts = 3000L * picture;
        p[4] = (byte) (ts >> 24); p[5] = (byte) (ts >> 16); p[6] = (byte) (ts >> 8); p[7] = (byte) ts;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        p[12] = (byte) 0xBE; p[13] = (byte) 0xDE; p[15] = 2;
        p[16] = 0x31; p[17] = (byte) (k >> 8); p[18] = (byte) k;
        p[19] = 0x40; p[20] = (byte) mid;
        if (rid != 0) {
            p[21] = 0x50; p[22] = (byte) rid; // Chromium stops sending the rid once the SSRC is known
        }
        for (int b = 0; b < payloadBytes; b++) p[24 + b] = (byte) (b * 31 + k);
        int pictureId = picture & 0x7FFF;
        boolean keyframe = picture == 0;
        int tid = keyframe ? 0 : TIDS[picture % TIDS.length];
        p[24] = (byte) (0x80 | (start ? 0x10 : 0));
        p[25] = (byte) 0xE0;
        p[26] = (byte) (0x80 | (pictureId >>> 8));
        p[27] = (byte) pictureId;
        p[28] = (byte) (picture / TIDS.length); // TL0PICIDX: one TID-0 picture per pattern
        p[29] = (byte) (tid << 6);
        p[30] = (byte) (start && keyframe ? 0x00 : 0x01);
    }

    private static String mid(int track) {
        return track == 0 ? "v" : Character.toString('v' + track);
    }

    private static long ssrc(int track) {
        return PUB_SSRC + track;
    }

    private static long simulcastSsrc(int layer) {
        return 0x5100_0000L + layer;
    }

    private static SrtpKeys randomKeys(SrtpProfile profile) {
        byte[] material = new byte[profile.keyingMaterialLength()];
        ThreadLocalRandom.current().nextBytes(material);
        return SrtpKeys.fromKeyingMaterial(profile, material);
    }

    private void renewPublisher() {
        // The encryptor carries the SFU's RTCP to the publisher (a PLI when a selector waits for a key frame).
        publisherLink = new LoopbackLink(SrtpDecryptor.forServer(publisherKeys, 4, worker.inboundSrtp),
                SrtpEncryptor.forServer(publisherKeys, 4, new SrtpStats()));
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
            // The replayed streams start again at sequence 0 with a key frame: as after a pause, each selector
            // splices them on (else every later packet would look hopelessly old and take the reorder path).
            for (int i = 0; i < selectors.size(); i++) {
                selectors.get(i).setTarget(LayerSelector.NONE, Integer.MAX_VALUE);
                selectors.get(i).setTarget(selectorTargets.get(i), Integer.MAX_VALUE);
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

    public Layout layout() { return layout; }

    /** Packets each subscriber was sent so far, by subscriber index. */
    public long[] packetsSentPerSubscriber() {
        long[] n = new long[sinks.size()];
        for (int i = 0; i < n.length; i++) n[i] = sinks.get(i).sent;
        return n;
    }

    /** The spatial layer each simulcast subscriber's selector forwards now (empty for single-stream layouts). */
    public int[] currentLayers() {
        int[] l = new int[selectors.size()];
        for (int i = 0; i < l.length; i++) l[i] = selectors.get(i).currentSpatial();
        return l;
    }

    @Override
    public void close() { }
}
