package dev.chorus.signaling.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Method + path-template routing, e.g. {@code POST /v1/keys/{kid}/retire}. A path parameter matches one
 * non-empty raw segment (matching happens before decoding, so an encoded '/' cannot change which route matches);
 * its percent-decoded value must not contain control characters or be longer than 256 characters. The template (not the path) is what metrics record.
 */
public final class Router {
    private record Route(String method, String template, String[] segments, RouteHandler handler, String access) {}

    /** A route as declared: method, template and who may call it ({@link #PUBLIC}, {@link #OPERATOR}, a scope). */
    public record Entry(String method, String template, String access) {}

    /** No credential needed (health, metrics, web assets, the dev-only token endpoint). */
    public static final String PUBLIC = "public";
    /** The operator credential (admin API). */
    public static final String OPERATOR = "operator";

    /** The access of a route guarded by a backend API scope, e.g. {@code scope:keys:admin}. */
    public static String scope(String apiScope) {
        return "scope:" + apiScope;
    }

    /** Outcome of a match: a handler, a known path with the wrong method, or nothing. */
    public record Match(RouteHandler handler, String template, Map<String, String> params, boolean methodNotAllowed) {
        public boolean found() { return handler != null; }
    }

    private final List<Route> routes = new ArrayList<>();

    /** A public route (no credential). */
    public Router add(String method, String template, RouteHandler handler) {
        return add(method, template, PUBLIC, handler);
    }

    /**
     * A route whose handler enforces {@code access} (it is recorded here so tests can check every guarded route
     * against its declared guard, and see every public one).
     */
    public Router add(String method, String template, String access, RouteHandler handler) {
        if (!template.startsWith("/")) throw new IllegalArgumentException("template must start with /");
        routes.add(new Route(method, template, split(template), handler, access));
        return this;
    }

    /** Every route with its declared access, in registration order. */
    public List<Entry> table() {
        return routes.stream().map(r -> new Entry(r.method, r.template, r.access)).toList();
    }

    /** "METHOD /template" of every route, in registration order (docs and tests compare against it). */
    public List<String> routes() {
        return routes.stream().map(r -> r.method + " " + r.template).toList();
    }

    public Match match(String method, String path) {
        String[] parts = split(path);
        boolean pathKnown = false;
        for (Route r : routes) {
            Map<String, String> params = matchSegments(r.segments, parts);
            if (params == null) continue;
            if (r.method.equals(method)) return new Match(r.handler, r.template, params, false);
            pathKnown = true;
        }
        return new Match(null, null, Map.of(), pathKnown);
    }

    private static Map<String, String> matchSegments(String[] tpl, String[] parts) {
        if (tpl.length != parts.length) return null;
        Map<String, String> params = null;
        for (int i = 0; i < tpl.length; i++) {
            String t = tpl[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                String v = decode(parts[i]);
                if (v == null) return null;
                if (params == null) params = new LinkedHashMap<>();
                params.put(t.substring(1, t.length() - 1), v);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String decode(String segment) {
        if (segment.isEmpty() || segment.length() > 768) return null;
        String v;
        try {
            v = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (v.isEmpty() || v.length() > 256) return null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) return null;
        }
        if (v.equals(".") || v.equals("..")) return null;
        return v;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
