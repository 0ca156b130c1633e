package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.sfu.rtcp.TransportCcRecorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transport-cc feedback is read back exactly as the project's recorder wrote it; malformed feedback reports nothing. */
class TransportCcFeedbackReaderTest {
    record Status(int seq, boolean received, long arrivalMicros) {}

    private final TransportCcFeedbackReader reader = new TransportCcFeedbackReader();
    private final List<Status> statuses = new ArrayList<>();
    private final TransportCcFeedbackReader.Sink sink = (s, r, a) -> statuses.add(new Status(s, r, a));

    @Test
    void readsWhatTheRecorderWroteIncludingLossesAndLargeDeltas() {
        TransportCcRecorder recorder = new TransportCcRecorder(1024);
        long t = 5_000_000_000L; // ns
        int[] seqs = {65530, 65531, 65533, 65534, 0, 1, 5};
        long[] gapsMicros = {0, 250, 1000, 70_000, 500, 250, 2_000};
        List<Long> arrivals = new ArrayList<>();
        for (int i = 0; i < seqs.length; i++) {
            t += gapsMicros[i] * 1000;
            recorder.onPacket(seqs[i], t);
            arrivals.add(t / 1000);
        }
        byte[] b = new byte[1200];
        int len = recorder.writeFeedback(b, 0, 1, 2);
        assertThat(reader.read(b, 0, len, sink)).isTrue();
        assertThat(statuses).extracting(Status::seq)
                .containsExactly(65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5);
        assertThat(statuses).filteredOn(Status::received).extracting(Status::seq)
                .containsExactly(65530, 65531, 65533, 65534, 0, 1, 5);
        // Arrival differences survive at the format's 250 µs resolution.
        List<Long> got = statuses.stream().filter(Status::received).map(Status::arrivalMicros).toList();
        for (int i = 1; i < got.size(); i++) {
            long want = arrivals.get(i) - arrivals.get(i - 1);
            assertThat(got.get(i) - got.get(i - 1)).isCloseTo(want, org.assertj.core.data.Offset.offset(250L));
        }
        assertThat(reader.feedbackCount()).isZero();
    }

    @Test
    void readsRunLengthAndOneBitChunks() {
        // base 100, 20 statuses: run-length chunk "14 × received small delta", then a 1-bit vector of 6 (1,0,1,0,1,0)
        byte[] b = new byte[64];
        b[0] = (byte) 0x8F; b[1] = (byte) 205; b[3] = 15;
        b[12] = 0; b[13] = 100; b[14] = 0; b[15] = 20;
        b[16] = 0; b[17] = 0; b[18] = 1; b[19] = 7;             // reference time 64 ms
        b[20] = (byte) 0x20; b[21] = 14;                         // RLE: symbol 1, run 14
        b[22] = (byte) 0xAA; b[23] = (byte) 0x80;                // 1-bit vector: 1,0,1,0,1,0,1,0,0,...
        for (int i = 0; i < 17; i++) b[24 + i] = 4;              // 17 small deltas of 1 ms
        assertThat(reader.read(b, 0, 64, sink)).isTrue();
        assertThat(statuses).hasSize(20);
        assertThat(statuses.subList(0, 14)).allMatch(Status::received);
        assertThat(statuses.subList(14, 20)).extracting(Status::received)
                .containsExactly(true, false, true, false, true, false);
        assertThat(statuses.getFirst().arrivalMicros()).isEqualTo(64_000 + 1_000);
        assertThat(statuses.get(13).arrivalMicros()).isEqualTo(64_000 + 14_000);
        assertThat(reader.feedbackCount()).isEqualTo(7);
    }

    @Test
    void malformedFeedbackReportsNothing() {
        TransportCcRecorder recorder = new TransportCcRecorder(64);
        for (int i = 0; i < 20; i++) recorder.onPacket(i, 1_000_000_000L + i * 1_000_000L);
        byte[] b = new byte[600];
        int len = recorder.writeFeedback(b, 0, 1, 2);
        for (int cut = 0; cut < len - 4; cut++) {
            // Truncated: the deltas (or chunks) run past the end.
            assertThat(reader.read(b, 0, cut, sink)).as("cut at %d", cut).isFalse();
        }
        byte[] bad = b.clone();
        bad[20] = (byte) 0xFF; bad[21] = (byte) 0xFF;            // 2-bit vector with the reserved symbol 3
        assertThat(reader.read(bad, 0, len, sink)).isFalse();
        byte[] zero = b.clone();
        zero[14] = 0; zero[15] = 0;                              // no statuses
        assertThat(reader.read(zero, 0, len, sink)).isFalse();
        byte[] notTcc = b.clone();
        notTcc[0] = (byte) 0x81;                                 // FMT 1 = NACK
        assertThat(reader.read(notTcc, 0, len, sink)).isFalse();
        assertThat(statuses).isEmpty();
    }
}
