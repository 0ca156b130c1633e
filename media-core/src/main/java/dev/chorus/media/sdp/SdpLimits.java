package dev.chorus.media.sdp;

/**
 * Bounds applied while parsing, so hostile SDP costs bounded work and memory (SECURITY-CHECKLIST 19).
 *
 * @param maxBytes total characters
 * @param maxLines lines
 * @param maxLineLength characters per line
 * @param maxMediaSections m-lines
 * @param maxCandidates candidates across all sections
 * @param maxFormatsPerMedia payload types on one m-line
 * @param maxSsrcsPerGroup SSRCs in one ssrc-group
 */
public record SdpLimits(int maxBytes, int maxLines, int maxLineLength, int maxMediaSections, int maxCandidates,
                        int maxFormatsPerMedia, int maxSsrcsPerGroup) {
    /** Defaults sized for Chromium offers with many transceivers (a Chromium audio+video offer is ~6 KB). */
    public static final SdpLimits DEFAULT = new SdpLimits(256 * 1024, 10_000, 4096, 128, 128, 128, 16);
}
