package dev.chorus.media.simulcast;

/**
 * The largest layer a subscriber needs for how it shows a track (adaptive stream): the smallest layer whose frame
 * covers the video element's size in device pixels, capped by the quality the app asked for; a hidden element
 * needs none. The server never sends a layer bigger than this.
 */
public final class ViewportLayers {
    /** Quality an app may ask for per track (LiveKit's VideoQuality): a cap on the layer. */
    public enum Quality { LOW, MEDIUM, HIGH }

    private ViewportLayers() {}

    /**
     * @param layerWidths frame width of each layer, lowest first (0 = unknown: treated as covering anything)
     * @param layerHeights frame height of each layer
     * @param elementWidth the element's width in device pixels (CSS px × devicePixelRatio)
     * @param elementHeight its height in device pixels
     * @param visible false when the element is hidden or off screen
     * @param preferred the app's cap, or null
     */
    public static int wantedLayer(int[] layerWidths, int[] layerHeights, int elementWidth, int elementHeight,
                                  boolean visible, Quality preferred) {
        if (!visible || elementWidth <= 0 || elementHeight <= 0) return LayerSelector.NONE;
        int layers = layerWidths.length;
        int wanted = layers - 1;
        for (int l = 0; l < layers; l++) {
            boolean unknown = layerWidths[l] <= 0 || layerHeights[l] <= 0;
            // A layer within 10 % of the element is sharp enough (browsers scale by a little without visible loss).
            if (unknown || (layerWidths[l] * 11 >= elementWidth * 10 && layerHeights[l] * 11 >= elementHeight * 10)) {
                wanted = l;
                break;
            }
        }
        if (preferred != null) wanted = Math.min(wanted, Math.min(preferred.ordinal(), layers - 1));
        return wanted;
    }
}
