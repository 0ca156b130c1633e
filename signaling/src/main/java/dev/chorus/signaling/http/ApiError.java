package dev.chorus.signaling.http;

/**
 * A refusal answered as {@code {"error":{"code":"stable_code","message":"human text"}}}.
 * The code is stable (clients branch on it); the message is for humans and never echoes secrets.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false); // no stack trace: refusals are expected, not bugs
        this.status = status;
        this.code = code;
    }

    public int status() { return status; }
    public String code() { return code; }

    public static ApiError badRequest(String code, String message) { return new ApiError(400, code, message); }
    public static ApiError unauthorized() { return new ApiError(401, "unauthorized", "Missing or invalid credentials."); }
    public static ApiError notFound() { return new ApiError(404, "not_found", "No such resource."); }
    public static ApiError tooMany(String message) { return new ApiError(429, "rate_limited", message); }
}
