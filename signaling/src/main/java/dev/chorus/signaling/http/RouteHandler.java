package dev.chorus.signaling.http;

/** Handles one route. May block (store access); it runs on a virtual thread, never on the event loop. */
@FunctionalInterface
public interface RouteHandler {
    /** @throws ApiError for a refusal answered with the error body */
    HttpResult handle(HttpRequestContext request) throws ApiError;
}
