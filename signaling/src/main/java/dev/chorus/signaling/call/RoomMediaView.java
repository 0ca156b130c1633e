package dev.chorus.signaling.call;

import dev.chorus.media.sfu.RoomSnapshot;
import java.util.Map;
import java.util.Objects;

/**
 * Who receives whom in one room of one project: the SFU's {@link RoomSnapshot} with the signaling side's names for
 * its participants (identity and display name), as the media view API and page show it (docs/media-view.md).
 *
 * @param people participant id → who it is (participants still joining, or gone since, may be missing)
 */
public record RoomMediaView(String projectId, String roomId, RoomSnapshot media, Map<String, Person> people) {
    public RoomMediaView {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(media, "media");
        people = Map.copyOf(people);
    }

    /** @param name the token's {@code name} claim, or null */
    public record Person(String identity, String name) { }
}
