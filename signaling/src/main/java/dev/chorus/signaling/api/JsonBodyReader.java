package dev.chorus.signaling.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.chorus.signaling.http.ApiError;
import dev.chorus.signaling.http.ContentTypes;
import dev.chorus.signaling.http.HttpRequestContext;
import dev.chorus.signaling.http.Json;

import java.io.IOException;

/**
 * Reads a JSON request body into a record, answering every way it can be wrong with a 4xx and a stable code:
 * 415 wrong content type, 400 empty_body / malformed_json / unknown_field / invalid_field / too_complex.
 * Field names echoed in messages are cut and restricted to plain characters.
 */
final class JsonBodyReader {
    private JsonBodyReader() {}

    static <T> T read(HttpRequestContext req, Class<T> type, boolean optional) {
        byte[] body = req.body();
        if (body.length == 0) {
            if (optional) {
                try {
                    return Json.mapper().readValue("{}", type);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            throw ApiError.badRequest("empty_body", "A JSON body is required.");
        }
        requireJson(req.header("Content-Type"));
        try {
            T value = Json.mapper().readValue(body, type);
            if (value == null) throw ApiError.badRequest("invalid_field", "The body must be a JSON object.");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiError.badRequest("unknown_field", "Unknown field \"" + plain(e.getPropertyName()) + "\".");
        } catch (MismatchedInputException e) {
            throw ApiError.badRequest("invalid_field", "Field \"" + plain(path(e)) + "\" has the wrong type or is missing.");
        } catch (StreamConstraintsException e) {
            throw ApiError.badRequest("too_complex", "The body exceeds nesting, number or string limits.");
        } catch (StreamReadException e) {
            throw ApiError.badRequest("malformed_json", "The body is not valid JSON.");
        } catch (JsonMappingException e) {
            throw ApiError.badRequest("invalid_field", "Field \"" + plain(path(e)) + "\" is invalid.");
        } catch (JacksonException e) {
            throw ApiError.badRequest("malformed_json", "The body is not valid JSON.");
        } catch (IOException e) {
            throw ApiError.badRequest("malformed_json", "The body could not be read.");
        }
    }

    static void requireJson(String contentType) {
        if (!ContentTypes.isJson(contentType)) {
            throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json (UTF-8).");
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return sb.isEmpty() ? "(body)" : sb.toString();
    }

    /** Attacker-chosen names are echoed only as [A-Za-z0-9_.[]-], at most 64 characters. */
    static String plain(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '[' || c == ']' || c == '-' ? c : '?');
        }
        return sb.toString();
    }
}
