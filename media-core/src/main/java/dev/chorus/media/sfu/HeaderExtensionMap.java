package dev.chorus.media.sfu;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.SessionDescription;
import java.util.HashMap;
import java.util.Map;

/**
 * The header extensions negotiated on a publish transport: per m-section (by mid) id → URI, and the transport-cc id
 * the transport-cc recorder reads. Immutable once built (made by {@link PublishNegotiation}, read by the worker).
 */
final class HeaderExtensionMap {
    static final HeaderExtensionMap NONE = new HeaderExtensionMap(Map.of(), -1);

    private final Map<String, SectionExtensions> byMid;
    final int transportCcId;

    HeaderExtensionMap(Map<String, SectionExtensions> byMid, int transportCcId) {
        this.byMid = byMid;
        this.transportCcId = transportCcId;
    }

    static HeaderExtensionMap of(SessionDescription answer) {
        Map<String, SectionExtensions> byMid = new HashMap<>();
        int twcc = -1;
        for (MediaDescription am : answer.media()) {
            if (am.isRejected() || am.mid() == null) continue;
            SectionExtensions s = SectionExtensions.of(am);
            byMid.put(am.mid(), s);
            int id = s.idOf(SectionExtensions.TWCC_URI);
            if (id > 0 && twcc < 0) twcc = id;
        }
        return new HeaderExtensionMap(Map.copyOf(byMid), twcc);
    }

    SectionExtensions section(String mid) {
        return byMid.getOrDefault(mid, SectionExtensions.NONE);
    }
}
