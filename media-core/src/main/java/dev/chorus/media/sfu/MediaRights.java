package dev.chorus.media.sfu;

import java.util.Objects;

/**
 * What a participant may do in the media plane, computed by signaling from its effective rights (token scopes ∩
 * project ceiling ∩ room ACL ∩ peer policies). The SFU enforces it on the room's worker:
 * <ul>
 *   <li>publishing a kind not granted is refused at {@link Participant#publish} (SECURITY-CHECKLIST 20);</li>
 *   <li>without {@link #subscribe} or when {@link #policy} denies a track, no offer ever contains the track and no
 *       packet of it is ever sent to the participant (checklist 22);</li>
 *   <li>{@link Participant#updateRights} applies a new value at once: forwarding that is no longer allowed stops
 *       before the worker's next drain, tracks of kinds no longer granted are unpublished (checklist 21);</li>
 *   <li>more than {@link #maxTracks} published tracks are refused; a publisher sending above {@link #maxKbps} is
 *       told so in the SDP answer ({@code b=AS}/{@code b=TIAS}) and policed by the worker (checklist 41).</li>
 * </ul>
 *
 * @param publishAudio  may publish {@link TrackKind#AUDIO} ({@code media:publish:audio})
 * @param publishVideo  may publish {@link TrackKind#VIDEO} ({@code media:publish:video})
 * @param publishScreen may publish {@link TrackKind#SCREEN} ({@code media:publish:screen})
 * @param subscribe     may receive media at all ({@code media:subscribe})
 * @param policy        which tracks it may receive (peer policy, ACL); ignored without {@code subscribe}
 * @param maxTracks     most tracks it may publish at once (0 = none)
 * @param maxKbps       cap of its total publish bitrate in kbit/s (0 = no cap)
 */
public record MediaRights(boolean publishAudio, boolean publishVideo, boolean publishScreen, boolean subscribe,
                          SubscribePolicy policy, int maxTracks, int maxKbps) {

    /** Default cap of published tracks when a policy does not name one. */
    public static final int DEFAULT_MAX_TRACKS = 8;

    public MediaRights {
        Objects.requireNonNull(policy, "policy");
        if (maxTracks < 0) throw new IllegalArgumentException("maxTracks");
        if (maxKbps < 0) throw new IllegalArgumentException("maxKbps");
    }

    /** Everything: publish all kinds, receive every track (dev mode). */
    public static MediaRights all() {
        return new MediaRights(true, true, true, true, SubscribePolicy.ALL, DEFAULT_MAX_TRACKS, 0);
    }

    /** Nothing: neither publish nor receive. */
    public static MediaRights none() {
        return new MediaRights(false, false, false, false, SubscribePolicy.NONE, 0, 0);
    }

    /** True if {@code kind} may be published. */
    public boolean mayPublish(TrackKind kind) {
        return switch (kind) {
            case AUDIO -> publishAudio;
            case VIDEO -> publishVideo;
            case SCREEN -> publishScreen;
        };
    }

    /** True if {@code track} may be received. */
    public boolean mayReceive(TrackInfo track) {
        return subscribe && policy.allows(track);
    }

    public MediaRights withSubscribe(boolean value, SubscribePolicy newPolicy) {
        return new MediaRights(publishAudio, publishVideo, publishScreen, value, newPolicy, maxTracks, maxKbps);
    }

    public MediaRights withPublish(boolean audio, boolean video, boolean screen) {
        return new MediaRights(audio, video, screen, subscribe, policy, maxTracks, maxKbps);
    }

    public MediaRights withLimits(int tracks, int kbps) {
        return new MediaRights(publishAudio, publishVideo, publishScreen, subscribe, policy, tracks, kbps);
    }
}
