package dev.chorus.media.sfu;

/**
 * Counters of one participant, a snapshot taken on its room's worker.
 *
 * @param packetsPublished  RTP packets accepted from it
 * @param packetsReceived   RTP packets forwarded to it (retransmissions included)
 * @param droppedPublished  RTP packets from it dropped (unknown SSRC, muted, over bitrate, not connected ...)
 * @param nacksAnswered     packets retransmitted to it on its NACKs
 * @param keyframeRequests  PLIs sent to it (as a publisher)
 * @param subscribedTracks  tracks currently forwarded to it
 * @param estimatedBps      its downlink estimate: the SFU's send-side estimate once it sends transport-cc feedback,
 *                          else the latest REMB it reported, 0 if none
 * @param transportCcFeedbacks transport-cc feedback packets it sent (as a subscriber)
 */
public record ParticipantStats(long packetsPublished, long packetsReceived, long droppedPublished, long nacksAnswered,
                               long keyframeRequests, int subscribedTracks, long estimatedBps,
                               long transportCcFeedbacks) { }
