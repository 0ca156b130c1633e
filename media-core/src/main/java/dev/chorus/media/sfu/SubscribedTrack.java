package dev.chorus.media.sfu;

/**
 * One section of a subscriber offer: which published track the SFU sends on {@code mid}. The SDK maps a
 * received transceiver (by mid) to the publisher and track. The msid of the section is
 * {@code <participant stream id> <trackId>} as well, but the mid is what to rely on.
 *
 * @param mid   the section's mid in the subscriber offer
 * @param track the published track sent there
 */
public record SubscribedTrack(String mid, TrackInfo track) { }
