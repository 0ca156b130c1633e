package dev.chorus.media.sfu.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SECURITY-CHECKLIST 42: keyframe requests coalesced, at most one per interval. */
class KeyframeRequesterTest {
    @Test
    void floodInsideTheIntervalBecomesOneDeferredRequest() {
        KeyframeRequester k = new KeyframeRequester(1000);
        assertThat(k.request(0)).isTrue();
        for (int i = 1; i < 1000; i++) assertThat(k.request(i)).isFalse();
        assertThat(k.due(999)).isFalse();
        assertThat(k.due(1000)).isTrue();
        assertThat(k.due(5000)).isFalse();
        assertThat(k.request(5000)).isTrue();
        assertThat(k.sent()).isEqualTo(3);
    }

    @Test
    void aRequestThatCouldNotBeSentStaysPendingForTheTimer() {
        KeyframeRequester k = new KeyframeRequester(1000);
        assertThat(k.request(0)).isTrue();
        k.notSent(); // publisher not connected yet
        assertThat(k.pending()).isTrue();
        assertThat(k.due(10)).isTrue();
        assertThat(k.sent()).isEqualTo(1);
        assertThat(k.request(20)).isFalse();
    }
}
