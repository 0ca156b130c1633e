package dev.chorus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The floor's CPU per packet is its median slice's, so one slice that the shared machine slowed down does not move
 * the reference a load run's ratio is taken against; the plain mean stays in the report beside it.
 */
class FloorResultTest {
    private static Floor.Result result(long packets, long cpuNanos, List<Double> slices) {
        return new Floor.Result("GCM", 1200, 50, packets, cpuNanos, cpuNanos, true, Floor.Sink.READ, slices);
    }

    @Test
    void oneSlowSliceDoesNotMoveTheFloor() {
        Floor.Result r = result(500_000, 2_100_000_000L, List.of(3_600.0, 3_500.0, 6_200.0, 3_550.0, 3_650.0));
        assertThat(r.cpuNanosPerPacket()).isEqualTo(3_600.0);
        assertThat(r.meanCpuNanosPerPacket()).isEqualTo(4_200.0);
        assertThat(r.packetsPerCpuSecond()).isCloseTo(1e9 / 3_600.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void anEvenNumberOfSlicesTakesTheMiddleTwo() {
        assertThat(result(4, 40, List.of(4.0, 1.0, 3.0, 2.0)).cpuNanosPerPacket()).isEqualTo(2.5);
    }

    @Test
    void withoutSlicesItIsTheMean() {
        Floor.Result r = result(1_000, 3_000_000, List.of());
        assertThat(r.cpuNanosPerPacket()).isEqualTo(3_000.0);
        assertThat(r.toMap()).containsEntry("cpuNanosPerPacket", 3_000.0).containsEntry("sliceCpuNanosPerPacket", List.of());
    }
}
