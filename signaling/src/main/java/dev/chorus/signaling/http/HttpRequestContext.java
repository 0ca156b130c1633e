package dev.chorus.signaling.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.List;
import java.util.Map;

/**
 * One complete request as seen by a route handler. The body is a copy (the Netty buffer is already released),
 * so handlers may run on any thread.
 *
 * @param sourceIp canonical peer IP (see {@link SourceAddress})
 * @param route    the route template that matched, e.g. {@code /v1/keys/{kid}/retire}
 */
public record HttpRequestContext(
        String method,
        String route,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        HttpHeaders headers,
        byte[] body,
        String sourceIp) {

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** First value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public String header(String name) {
        return headers.get(name);
    }
}
