package dev.chorus.server;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's buffer leak detector: off in production unless asked for. Netty's default (SIMPLE) samples buffers and
 * records access points, which cost about 2 % of server CPU at media load; the tests run it at PARANOID (the
 * build's {@code chorus.test.jvmArgs}), where leaks are caught. An operator who suspects a leak sets the JVM
 * property, e.g. {@code CHORUS_JAVA_OPTS=-Dio.netty.leakDetection.level=simple ./chorus start}.
 */
final class NettyLeakDetection {
    static final String PROPERTY = "io.netty.leakDetection.level";

    private NettyLeakDetection() {}

    /**
     * The level for a production start: DISABLED when the property is not set, otherwise the level Netty parsed from
     * it ({@code nettyLevel}, which is Netty's default for a value it does not know).
     */
    static ResourceLeakDetector.Level productionLevel(String property, ResourceLeakDetector.Level nettyLevel) {
        if (property == null || property.isBlank()) return ResourceLeakDetector.Level.DISABLED;
        return nettyLevel;
    }

    /** Called by {@link Main#main} before anything allocates a buffer. */
    static void applyForProduction() {
        ResourceLeakDetector.setLevel(productionLevel(System.getProperty(PROPERTY), ResourceLeakDetector.getLevel()));
    }
}
