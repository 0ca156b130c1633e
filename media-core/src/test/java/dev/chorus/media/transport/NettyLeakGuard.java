package dev.chorus.media.transport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class if Netty's leak detector (PARANOID in tests) reported a ByteBuf that was never released.
 * Netty only logs leaks, when a later allocation polls its reference queue after a GC; this extension listens to
 * that logger, forces a few GC + allocation rounds at the end, and turns any report into a failure.
 */
public final class NettyLeakGuard implements BeforeAllCallback, AfterAllCallback {
    private ListAppender<ILoggingEvent> appender;

    @Override
    public void beforeAll(ExtensionContext context) {
        Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        try {
            for (int round = 0; round < 5; round++) {
                System.gc();
                Thread.sleep(20); // let the GC enqueue phantom references; bounded
                for (int i = 0; i < 64; i++) {
                    ByteBuf a = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
                    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                    ByteBuf c = UnpooledByteBufAllocator.DEFAULT.heapBuffer(64);
                    a.release();
                    b.release();
                    c.release();
                }
            }
            List<String> leaks = appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("LEAK"))
                    .toList();
            if (!leaks.isEmpty()) {
                throw new AssertionError("Netty reported " + leaks.size() + " leaked buffer(s):\n" + leaks.getFirst());
            }
        } finally {
            logger.detachAppender(appender);
            appender.stop();
        }
    }
}
