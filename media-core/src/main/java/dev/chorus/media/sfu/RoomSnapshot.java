package dev.chorus.media.sfu;

import java.util.List;
import java.util.Objects;

/**
 * Who receives whom in one room, as its worker saw it at one instant: the participants, the tracks each publishes,
 * and for every track who receives it, at which layer and rate, with the loss and round trip the receiver's RTCP
 * reports. Immutable: built on the room's worker ({@link Room#snapshot}) and handed over whole, so the reader never
 * touches worker state (the hot path takes no lock for it).
 *
 * @param roomId       the SFU's room id
 * @param participants in join order
 */
public record RoomSnapshot(String roomId, List<ParticipantView> participants) {
    public RoomSnapshot {
        Objects.requireNonNull(roomId, "roomId");
        participants = List.copyOf(participants);
    }

    /**
     * One participant.
     *
     * @param participantId   its id
     * @param publishing      the tracks it publishes
     * @param receiving       how many tracks are forwarded to it now
     * @param estimateBps     the receive estimate its browser reported (REMB) or the SFU's estimate of its downlink,
     *                        or -1 when there is none
     * @param publishConnected   its publish transport is connected
     * @param subscribeConnected its subscribe transport is connected
     */
    public record ParticipantView(String participantId, List<TrackView> publishing, int receiving, long estimateBps,
                                  boolean publishConnected, boolean subscribeConnected) {
        public ParticipantView {
            publishing = List.copyOf(publishing);
        }
    }

    /**
     * One published track.
     *
     * @param trackId     the publisher's mid
     * @param kind        audio, video or screen
     * @param muted       the publisher muted it (nothing is forwarded)
     * @param bitrateBps  what arrives from the publisher, over the last second (RTP payload and headers)
     * @param packets     RTP packets accepted from the publisher since it was published
     * @param receivers   who receives it
     */
    public record TrackView(String trackId, TrackKind kind, boolean muted, long bitrateBps, long packets,
                            List<ReceiverView> receivers) {
        public TrackView {
            receivers = List.copyOf(receivers);
        }
    }

    /**
     * One receiver of one track (a consumer).
     *
     * @param participantId the subscriber
     * @param active        forwarding is on (negotiated, transport connected)
     * @param layer         what the consumer forwards of a layered (simulcast/SVC) track; null when the track has no
     *                      layers and the whole stream is forwarded
     * @param bitrateBps    what is forwarded to it, over the last second (RTP payload bytes)
     * @param packets       RTP packets forwarded to it (retransmissions not included)
     * @param fractionLost  loss the subscriber reported in its last receiver report for this stream, 0…1; -1 before
     *                      the first report
     * @param packetsLost   cumulative packets lost it reported (RFC 3550), -1 before the first report
     * @param jitterMs      interarrival jitter it reported, in ms; -1 before the first report
     * @param rttMs         round trip from the SFU's sender report to the subscriber's receiver report that answers it
     *                      (RFC 3550 6.4.1: arrival − LSR − DLSR), in ms; -1 until measured
     */
    public record ReceiverView(String participantId, boolean active, ForwardedLayer layer, long bitrateBps,
                               long packets, double fractionLost, long packetsLost, double jitterMs, double rttMs) { }

    /**
     * The layer a consumer forwards of a layered track: the spatial layer (simulcast encoding or SVC spatial layer,
     * 0 = lowest; -1 while paused or before the first key frame of a layer), the highest temporal layer when the
     * consumer is capped below the publisher's (-1 when every temporal layer is forwarded, or paused), and the
     * encoding's rid when the publisher named it.
     */
    public record ForwardedLayer(int spatial, int temporal, String rid) { }
}
