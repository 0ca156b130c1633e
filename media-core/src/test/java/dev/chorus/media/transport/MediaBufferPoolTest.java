package dev.chorus.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import org.junit.jupiter.api.Test;

/** The media pool's shape: small chunks (never humongous), caches on any allocating thread, direct by default. */
class MediaBufferPoolTest {
    @Test
    void chunksStayBelowHalfAG1RegionAndBuffersAreDirect() {
        PooledByteBufAllocatorMetric metric = MediaBufferPool.allocator().metric();
        assertThat(metric.chunkSize()).isEqualTo(256 * 1024).isLessThan(512 * 1024);
        assertThat(metric.numDirectArenas()).isEqualTo(1);
        ByteBuf b = MediaBufferPool.allocator().buffer(1500);
        try {
            assertThat(b.isDirect()).isTrue();
        } finally {
            b.release();
        }
    }

    @Test
    void aPlainThreadThatAllocatesGetsAThreadCache() throws Exception {
        int before = MediaBufferPool.allocator().metric().heapArenas().stream().mapToInt(a -> a.numThreadCaches()).sum();
        int[] during = new int[1];
        Thread worker = Thread.ofPlatform().name("like-an-sfu-worker").start(() -> {
            ByteBuf b = MediaBufferPool.allocator().heapBuffer(1520);
            during[0] = MediaBufferPool.allocator().metric().heapArenas().stream().mapToInt(a -> a.numThreadCaches()).sum();
            b.release();
        });
        worker.join(10_000);
        assertThat(during[0]).isEqualTo(before + 1);
    }
}
