package dev.chorus.server;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging (jitsi-srtp logs through it, so does the JDK) to SLF4J, so third-party lines come out of
 * logback in the same one-line, line-break-free format as ours (Netty finds SLF4J on its own). Idempotent.
 */
final class JulBridge {
    private JulBridge() {}

    static synchronized void install() {
        if (SLF4JBridgeHandler.isInstalled()) return;
        SLF4JBridgeHandler.removeHandlersForRootLogger(); // JUL's own console handler would print a second, other format
        SLF4JBridgeHandler.install();
    }
}
