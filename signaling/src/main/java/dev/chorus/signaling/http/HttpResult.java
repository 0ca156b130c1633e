package dev.chorus.signaling.http;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A response before it is turned into Netty objects. */
public record HttpResult(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json; charset=utf-8";

    public static HttpResult json(int status, Object body) {
        try {
            return new HttpResult(status, JSON, Json.mapper().writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    public static HttpResult text(int status, String contentType, String body) {
        return new HttpResult(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static HttpResult noContent() {
        return new HttpResult(204, null, new byte[0], Map.of());
    }

    public static HttpResult error(ApiError e) {
        return error(e.status(), e.code(), e.getMessage());
    }

    public static HttpResult error(int status, String code, String message) {
        return json(status, new ErrorBody(new ErrorBody.Detail(code, message)));
    }

    /** {@code {"error":{"code":…,"message":…}}}, fields in that order. */
    public record ErrorBody(Detail error) {
        public record Detail(String code, String message) {}
    }

    public HttpResult withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResult(status, contentType, body, Map.copyOf(h));
    }
}
