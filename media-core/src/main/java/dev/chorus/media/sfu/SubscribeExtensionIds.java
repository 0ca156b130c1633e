package dev.chorus.media.sfu;

import dev.chorus.media.sdp.Sdp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of the header extensions the SFU offers on one subscribe transport: one id per URI for the whole BUNDLE,
 * stable across renegotiations. The ones the SFU's offers always carry keep their fixed ids
 * ({@link Consumer#SUB_EXT_AUDIO_LEVEL}…, mid 4); a publisher's other extensions get the next free id, one-byte ids
 * (5–14) first. Owner: the room's worker thread.
 */
final class SubscribeExtensionIds {
    private static final int MID_ID = 4;
    private final Map<String, Integer> ids = new HashMap<>();
    private int next = MID_ID + 1;

    SubscribeExtensionIds() {
        ids.put(SectionExtensions.AUDIO_LEVEL_URI, Consumer.SUB_EXT_AUDIO_LEVEL);
        ids.put(SectionExtensions.ABS_SEND_TIME_URI, Consumer.SUB_EXT_ABS_SEND_TIME);
        ids.put(SectionExtensions.TWCC_URI, Consumer.SUB_EXT_TRANSPORT_CC);
        ids.put(SectionExtensions.MID_URI, MID_ID);
    }

    /** Whether the SFU's offer builder always puts {@code uri} in a section of this media type. */
    private static boolean fixed(String uri, boolean video) {
        return uri.equals(SectionExtensions.TWCC_URI) || uri.equals(SectionExtensions.MID_URI)
                || uri.equals(video ? SectionExtensions.ABS_SEND_TIME_URI : SectionExtensions.AUDIO_LEVEL_URI);
    }

    /** The extmaps a section sending {@code producer} adds to the fixed ones: its other forwardable extensions. */
    List<Sdp.Extmap> extraFor(SectionExtensions producer, boolean video) {
        List<Sdp.Extmap> extra = new ArrayList<>();
        for (int id = 1; id < 256; id++) {
            String uri = producer.uri(id);
            if (uri == null || !SectionExtensions.forwardable(uri) || fixed(uri, video)) continue;
            Integer sub = ids.get(uri);
            if (sub == null) {
                if (next > 255) continue; // out of ids: not offered (so not forwarded)
                sub = next;
                next = next == 14 ? 16 : next + 1;
                ids.put(uri, sub);
            }
            extra.add(new Sdp.Extmap(sub, null, uri, null));
        }
        return extra;
    }
}
