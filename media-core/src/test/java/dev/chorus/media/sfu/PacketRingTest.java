package dev.chorus.media.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hand-over ring is bounded: when full, offers are refused (the worker counts them as queue_full). */
class PacketRingTest {
    @Test
    void boundedFifoOfCopiedDatagrams() {
        PacketRing ring = new PacketRing(4);
        byte[] d = new byte[100];
        for (int i = 0; i < 4; i++) {
            d[0] = (byte) i;
            assertThat(ring.offer(null, d, 0, 10 + i, 1000 + i)).isTrue();
        }
        assertThat(ring.offer(null, d, 0, 10, 0)).as("full").isFalse();
        for (int i = 0; i < 4; i++) {
            int slot = ring.peek();
            assertThat(ring.data[slot][0]).isEqualTo((byte) i);
            assertThat(ring.lengths[slot]).isEqualTo(10 + i);
            assertThat(ring.offeredAt[slot]).as("hand-over time").isEqualTo(1000 + i);
            ring.release(slot);
        }
        assertThat(ring.peek()).isEqualTo(-1);
        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.offer(null, d, 0, 10, 0)).isTrue();
    }

    @Test
    void theProducerSeesTheBacklogTheConsumerLeft() {
        PacketRing ring = new PacketRing(8);
        byte[] d = new byte[10];
        for (int round = 0; round < 5; round++) { // far more packets than slots: a stale view would claim a backlog
            for (int i = 0; i < 3; i++) ring.offer(null, d, 0, 10, 0);
            assertThat(ring.backlogAtLeast(3)).isTrue();
            assertThat(ring.backlogAtLeast(4)).isFalse();
            for (int i = 0; i < 3; i++) ring.release(ring.peek());
            assertThat(ring.backlogAtLeast(1)).as("drained").isFalse();
        }
    }
}
