package dev.chorus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** Leak detection: PARANOID in tests, off in production unless the operator sets Netty's property. */
class NettyLeakDetectionTest {
    @Test
    void productionDisablesItUnlessThePropertyAsks() {
        var paranoid = ResourceLeakDetector.Level.PARANOID;
        assertThat(NettyLeakDetection.productionLevel(null, paranoid)).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        assertThat(NettyLeakDetection.productionLevel(" ", paranoid)).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        assertThat(NettyLeakDetection.productionLevel("paranoid", paranoid)).isEqualTo(paranoid);
        assertThat(NettyLeakDetection.productionLevel("simple", ResourceLeakDetector.Level.SIMPLE))
                .isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }

    @Test
    void theTestsRunAtParanoid() {
        assertThat(System.getProperty(NettyLeakDetection.PROPERTY)).isEqualToIgnoringCase("paranoid");
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }
}
