package dev.chorus.signaling.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which web origins may use a browser-reachable endpoint ({@code /v1/ws}, the dev token route). A browser always
 * sends {@code Origin} on a WebSocket upgrade and on a cross-site POST, and a page cannot forge it; so a request
 * with an {@code Origin} is allowed only from the server's own origin ({@code https://} + the {@code Host} the
 * browser connected to) or from a configured origin. A request without {@code Origin} does not come from a web
 * page (SDKs, curl, the load generator) and is allowed: the join token gates it. The literal {@code null} origin
 * (sandboxed frames, {@code file:} pages) is refused. Origins are compared in one canonical form: lower-case scheme
 * and host, the default port dropped, no path.
 */
public final class OriginPolicy {
    private final Set<String> allowed;

    private OriginPolicy(Set<String> allowed) {
        this.allowed = allowed;
    }

    /** Only the server's own origin (dev mode, and production with no configured origins). */
    public static OriginPolicy sameOrigin() {
        return new OriginPolicy(Set.of());
    }

    /**
     * The server's own origin plus {@code origins} ({@code https://app.example.com}, {@code http://localhost:3000}).
     *
     * @throws IllegalArgumentException naming the first entry that is not a plain http(s) origin
     */
    public static OriginPolicy allowing(List<String> origins) {
        List<String> out = new ArrayList<>();
        for (String o : origins) {
            String c = canonical(o);
            if (c == null) throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + o);
            out.add(c);
        }
        return new OriginPolicy(Set.copyOf(out));
    }

    /**
     * @param origin the request's {@code Origin} header (null when absent)
     * @param host   the request's {@code Host} header
     */
    public boolean allows(String origin, String host) {
        if (origin == null) return true;
        String c = canonical(origin);
        if (c == null) return false;
        if (allowed.contains(c)) return true;
        return host != null && c.equals(canonical("https://" + host));
    }

    /** {@code scheme://host[:port]} with the default port dropped, or null if this is not an http(s) origin. */
    static String canonical(String origin) {
        if (origin == null || origin.length() > 512) return null;
        URI u;
        try {
            u = new URI(origin.strip());
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (!"https".equals(scheme) && !"http".equals(scheme)) return null;
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
            return null;
        }
        int port = u.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
