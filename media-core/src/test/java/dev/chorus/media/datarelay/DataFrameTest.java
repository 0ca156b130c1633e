package dev.chorus.media.datarelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The relay's wire frames (docs/protocol.md, "Data channels"): layout, round trips, and malformed input refused. */
class DataFrameTest {

    @Test
    void aClientFrameDecodesToTopicDestinationsAndPayload() {
        byte[] f = DataFrame.encodeClient("chat", List.of("p_a", "p_b"), true, "hé".getBytes(StandardCharsets.UTF_8));
        assertThat(f).startsWith(1, 1, 4, 'c', 'h', 'a', 't', 0, 2, 3, 'p', '_', 'a');
        DataFrame.Inbound in = DataFrame.decode(f);
        assertThat(in.topic()).isEqualTo("chat");
        assertThat(in.destinations()).containsExactly("p_a", "p_b");
        assertThat(in.text()).isTrue();
        assertThat(new String(f, in.payloadOffset(), in.payloadLength(f), StandardCharsets.UTF_8)).isEqualTo("hé");
    }

    @Test
    void noDestinationsMeansEveryoneAndAnEmptyPayloadIsAllowed() {
        DataFrame.Inbound in = DataFrame.decode(DataFrame.encodeClient("t", null, false, new byte[0]));
        assertThat(in.destinations()).isNull();
        assertThat(in.text()).isFalse();
        assertThat(in.payloadLength(DataFrame.encodeClient("t", null, false, new byte[0]))).isZero();
    }

    @Test
    void aDeliveryCarriesTheSenderTheServerAttached() {
        byte[] f = DataFrame.encodeDelivery(new DataMessage("p_7", "cursor", new byte[] {9, 8}, true, false));
        assertThat(f).containsExactly(1, 0, 6, 'c', 'u', 'r', 's', 'o', 'r', 3, 'p', '_', '7', 9, 8);
        assertThat(DataFrame.encodeDelivery(new DataMessage("x".repeat(256), "t", new byte[1], true, true)))
                .as("a sender id longer than 255 bytes cannot be framed").isNull();
    }

    @Test
    void malformedFramesAreRefused() {
        assertThat(DataFrame.decode(new byte[] {2, 0, 1, 't', 0, 0})).as("unknown version").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 2, 1, 't', 0, 0})).as("unknown flag").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 0, 0, 0})).as("empty topic").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 9, 't', 0, 0})).as("topic past the end").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 1, (byte) 0xff, 0, 0})).as("invalid UTF-8").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 1, 't', 0, 1})).as("destination past the end").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 1, 't', 0, 1, 0})).as("empty destination").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 1, 't', 1, 1, 1, 'a'})).as("more than 256 destinations").isNull();
        assertThat(DataFrame.decode(new byte[] {1, 0, 1, 't'})).as("truncated").isNull();
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(14);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) b[0] = 1;
            if (b.length > 1 && random.nextBoolean()) b[1] = 0;
            DataFrame.decode(b); // null or a frame; never an exception
        }
    }

    @Test
    void topicsAndIdsThatDoNotFitTheirLengthFieldAreRefusedWhenEncoding() {
        assertThatThrownBy(() -> DataFrame.encodeClient("", null, true, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        List<String> tooLong = new ArrayList<>(List.of("y".repeat(256)));
        assertThatThrownBy(() -> DataFrame.encodeClient("t", tooLong, true, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
