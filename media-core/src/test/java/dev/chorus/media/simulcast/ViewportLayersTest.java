package dev.chorus.media.simulcast;

import static dev.chorus.media.simulcast.ViewportLayers.wantedLayer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.media.simulcast.ViewportLayers.Quality;
import org.junit.jupiter.api.Test;

/** Adaptive stream: the layer a video element needs, never bigger than it can show or the app asked for. */
class ViewportLayersTest {
    static final int[] W = {320, 640, 1280};
    static final int[] H = {180, 360, 720};

    @Test
    void theSmallestLayerCoveringTheElement() {
        assertThat(wantedLayer(W, H, 160, 90, true, null)).isZero();
        assertThat(wantedLayer(W, H, 320, 180, true, null)).isZero();
        assertThat(wantedLayer(W, H, 340, 190, true, null)).as("within 10 %").isZero();
        assertThat(wantedLayer(W, H, 400, 225, true, null)).isEqualTo(1);
        assertThat(wantedLayer(W, H, 1280, 720, true, null)).isEqualTo(2);
        assertThat(wantedLayer(W, H, 3840, 2160, true, null)).as("bigger than any layer: the top").isEqualTo(2);
    }

    @Test
    void hiddenElementsWantNothingAndThePreferredQualityCaps() {
        assertThat(wantedLayer(W, H, 1280, 720, false, null)).isEqualTo(LayerSelector.NONE);
        assertThat(wantedLayer(W, H, 0, 0, true, null)).isEqualTo(LayerSelector.NONE);
        assertThat(wantedLayer(W, H, 1280, 720, true, Quality.MEDIUM)).isEqualTo(1);
        assertThat(wantedLayer(W, H, 160, 90, true, Quality.HIGH)).isZero();
        assertThat(wantedLayer(new int[] {640}, new int[] {360}, 1280, 720, true, Quality.HIGH)).isZero();
    }

    @Test
    void unknownLayerSizesCountAsCovering() {
        assertThat(wantedLayer(new int[] {0, 0, 0}, new int[] {0, 0, 0}, 1280, 720, true, null)).isZero();
    }
}
