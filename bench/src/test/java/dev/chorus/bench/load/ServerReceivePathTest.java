package dev.chorus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The receive-path section of a load report: per-datagram CPU and switches per thread role, and the server's delay bounds. */
class ServerReceivePathTest {
    @Test
    void dividesEachRolesCpuAndSwitchesByWhatItHandledAndBoundsTheServersDelay() {
        Map<String, Long> cpu0 = Map.of("chorus-media-ud#10", 1_000_000_000L, "chorus-sfu-work#11", 0L,
                "chorus-sfu-work#12", 5L, "multiThreadIoEv#13", 0L);
        Map<String, Long> cpu1 = Map.of("chorus-media-ud#10", 1_080_000_000L, "chorus-sfu-work#11", 400_000_000L,
                "chorus-sfu-work#12", 5L, "multiThreadIoEv#13", 900_000_000L);
        Map<String, long[]> sw0 = Map.of("chorus-media-ud#10", new long[] {100, 10}, "chorus-sfu-work#11", new long[] {0, 0});
        Map<String, long[]> sw1 = Map.of("chorus-media-ud#10", new long[] {2_100, 1_010}, "chorus-sfu-work#11", new long[] {1_500, 100});
        String sent = "chorus_sfu_packet_delay_within_total{seconds=\"%s\",stage=\"sent\"}";
        Map<String, Double> m0 = Map.of("chorus_media_packets_total{direction=\"in\"}", 500.0,
                "chorus_sfu_packets_total{direction=\"in\"}", 0.0);
        Map<String, Double> m1 = Map.of("chorus_media_packets_total{direction=\"in\"}", 2_500.0,
                "chorus_sfu_packets_total{direction=\"in\"}", 2_000.0,
                "chorus_media_sendmmsg_calls_total", 1_000.0,
                sent.formatted("5.0E-4"), 1_500.0, sent.formatted("0.001"), 1_970.0,
                sent.formatted("0.002"), 1_990.0, sent.formatted("+Inf"), 2_000.0);

        Map<String, Object> r = ServerReceivePath.report(cpu0, cpu1, sw0, sw1, m0, m1);

        @SuppressWarnings("unchecked") Map<String, Object> loop = (Map<String, Object>) r.get("mediaLoop");
        assertThat(loop.get("datagrams")).isEqualTo(2_000L);
        assertThat((double) loop.get("cpuNanosPerDatagram")).as("80 ms over 2,000 datagrams").isEqualTo(40_000.0);
        assertThat((double) loop.get("voluntarySwitchesPerDatagram")).isEqualTo(1.0);
        assertThat((double) loop.get("involuntarySwitchesPerDatagram")).isEqualTo(0.5);
        @SuppressWarnings("unchecked") Map<String, Object> workers = (Map<String, Object>) r.get("workers");
        assertThat(workers.get("threads")).as("the idle worker is left out").isEqualTo(1);
        assertThat((double) workers.get("cpuNanosPerPublishedPacket")).isEqualTo(200_000.0);
        assertThat((double) workers.get("sendmmsgCallsPerPublishedPacket")).isEqualTo(0.5);
        @SuppressWarnings("unchecked") Map<String, Map<String, Object>> delay = (Map<String, Map<String, Object>>) r.get("serverDelay");
        assertThat(delay.get("sent").get("p50AtMostMicros")).isEqualTo(500L);
        assertThat(delay.get("sent").get("p99AtMostMicros")).as("1,980 of 2,000 needs the 2 ms bucket").isEqualTo(2_000L);
        assertThat((double) delay.get("sent").get("percentWithin1ms")).isEqualTo(98.5);
    }
}
