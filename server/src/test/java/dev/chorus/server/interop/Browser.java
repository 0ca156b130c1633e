package dev.chorus.server.interop;

import dev.chorus.media.transport.ChromiumHarness;

/** A browser the interop tests drive with async page scripts (Chromium through Selenium, Firefox through Marionette). */
interface Browser extends AutoCloseable {
    /** Runs an async function body in the page; {@code args} is visible to it as {@code args}. */
    Object async(String body, Object... args);

    String name();

    @Override
    void close();

    /** The project's Chromium harness as a {@link Browser}. */
    static Browser of(ChromiumHarness chromium) {
        return new Browser() {
            @Override public Object async(String body, Object... args) { return chromium.async(body, args); }
            @Override public String name() { return "chromium"; }
            @Override public void close() { chromium.close(); }
        };
    }
}
