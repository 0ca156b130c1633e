package dev.chorus.signaling.project;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The text forms shared by the enums whose constants have one exact wire name ({@link Scope}, {@link ApiScope}):
 * exact, case-sensitive lookup and the space-separated list in declaration order.
 */
final class WireNames {
    private WireNames() {}

    static <E extends Enum<E>> Optional<E> lookup(E[] values, Function<E, String> wire, String text) {
        for (E e : values) {
            if (wire.apply(e).equals(text)) return Optional.of(e);
        }
        return Optional.empty();
    }

    static <E extends Enum<E>> String join(E[] values, Function<E, String> wire, Set<E> members) {
        StringBuilder sb = new StringBuilder();
        for (E e : values) {
            if (members.contains(e)) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(wire.apply(e));
            }
        }
        return sb.toString();
    }
}
