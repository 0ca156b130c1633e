package dev.chorus.signaling.http;

import java.util.Locale;

/** The one check for "this request body is declared UTF-8 JSON", shared by the API body reader and dev routes. */
public final class ContentTypes {
    private ContentTypes() {}

    /** {@code application/json}, optionally with {@code charset=utf-8}; any other type or charset is false. */
    public static boolean isJson(String contentType) {
        if (contentType == null) return false;
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/json")) return false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) return false;
        }
        return true;
    }
}
