package dev.chorus.media.simulcast;

import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The simulcast a publisher's m-section offers (RFC 8853 {@code a=simulcast:send}, RFC 8851 {@code a=rid}), in the
 * form the forwarding path needs: the sent rids ordered from lowest to highest quality and the ids of the
 * rtp-stream-id / repaired-rtp-stream-id header extensions that name each packet's stream (RFC 8852).
 *
 * <p>SDP does not say which encoding is the small one. The order is taken from, in turn: the rids' {@code max-width}
 * / {@code max-height} restrictions when every rid has one; the names {@code q}, {@code h}, {@code f} (LiveKit's and
 * this project's SDK convention: quarter, half, full); otherwise the offer's order, which for Chromium is the order
 * of {@code sendEncodings} (the SDK lists the full-size encoding first so that a server declining simulcast still gets full quality). Paused rids ({@code ~}) are included: a publisher may
 * resume them.
 */
public record SimulcastOffer(List<String> ridsLowToHigh, int ridExtensionId, int repairedRidExtensionId) {
    public static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String REPAIRED_RID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** More layers are refused (the SDK sends 3; Chromium allows up to 4 for VP8). */
    public static final int MAX_LAYERS = 4;

    public SimulcastOffer {
        ridsLowToHigh = List.copyOf(ridsLowToHigh);
    }

    /**
     * The section's simulcast, or null when it sends none (a single stream). Throws IllegalArgumentException with a
     * reason for an offer the SFU cannot forward (more than {@link #MAX_LAYERS} layers, alternatives, no rid
     * extension).
     */
    public static SimulcastOffer of(MediaDescription m) {
        Sdp.Simulcast sc = m.simulcast();
        if (sc == null || sc.send().isEmpty()) return null;
        List<String> rids = new ArrayList<>();
        for (List<String> alternatives : sc.send()) {
            if (alternatives.size() != 1) {
                throw new IllegalArgumentException("simulcast alternatives are not supported: " + alternatives);
            }
            String rid = alternatives.getFirst();
            rids.add(rid.startsWith("~") ? rid.substring(1) : rid);
        }
        if (rids.size() > MAX_LAYERS) throw new IllegalArgumentException("at most " + MAX_LAYERS + " simulcast layers");
        int ridExt = extensionId(m, RID_URI);
        if (ridExt <= 0) throw new IllegalArgumentException("simulcast without the rtp-stream-id header extension");
        return new SimulcastOffer(ordered(m, rids), ridExt, extensionId(m, REPAIRED_RID_URI));
    }

    /** The layer count. */
    public int layers() { return ridsLowToHigh.size(); }

    /** The stream map for this offer. */
    public SimulcastStreams streams() {
        return new SimulcastStreams(ridsLowToHigh, ridExtensionId, repairedRidExtensionId);
    }

    static int extensionId(MediaDescription m, String uri) {
        for (Sdp.Extmap e : m.extmaps()) if (e.uri().equals(uri)) return e.id();
        return 0;
    }

    private static List<String> ordered(MediaDescription m, List<String> rids) {
        List<Long> sizes = new ArrayList<>();
        for (String rid : rids) sizes.add(pixels(m, rid));
        if (sizes.stream().allMatch(s -> s > 0)) {
            List<String> sorted = new ArrayList<>(rids);
            sorted.sort(Comparator.comparingLong(r -> sizes.get(rids.indexOf(r))));
            return sorted;
        }
        String order = "qhf";
        if (rids.stream().allMatch(r -> r.length() == 1 && order.contains(r))) {
            List<String> sorted = new ArrayList<>(rids);
            sorted.sort(Comparator.comparingInt(order::indexOf));
            return sorted;
        }
        return rids;
    }

    /** max-width × max-height from the rid's restrictions, or 0. */
    private static long pixels(MediaDescription m, String rid) {
        for (Sdp.Rid r : m.rids()) {
            if (!r.id().equals(rid) || r.parameters() == null) continue;
            long w = 0;
            long h = 0;
            for (String p : r.parameters().split(";")) {
                String[] kv = p.trim().split("=", 2);
                if (kv.length != 2) continue;
                try {
                    if (kv[0].equals("max-width")) w = Long.parseLong(kv[1].trim());
                    if (kv[0].equals("max-height")) h = Long.parseLong(kv[1].trim());
                } catch (NumberFormatException ignored) {
                    return 0;
                }
            }
            return w * h;
        }
        return 0;
    }
}
