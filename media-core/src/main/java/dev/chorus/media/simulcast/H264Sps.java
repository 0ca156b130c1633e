package dev.chorus.media.simulcast;

/**
 * The picture size in an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1 and §7.4.2.1.1): the fields before
 * the size are skipped (exp-Golomb codes, scaling lists of the high profiles, picture order count fields), then
 * width and height in macroblocks minus the frame cropping. Reads the RBSP straight from the packet, skipping
 * emulation prevention bytes (00 00 03). Any value out of its range, or running past the unit, answers false. Sans-IO,
 * no allocation; one instance per {@link H264Descriptor}.
 */
final class H264Sps {
    private byte[] buf;
    private int pos;
    private int end;
    private int bit;
    private int current;
    private int zeros;
    private boolean overrun;
    private int width;
    private int height;

    /** Parses the SPS payload after its NAL header {@code buf[off, off+len)}; false if malformed or truncated. */
    boolean parse(byte[] buf, int off, int len) {
        this.buf = buf;
        pos = off;
        end = off + len;
        bit = 8;
        zeros = 0;
        overrun = false;
        int profile = bits(8);
        bits(16); // constraint flags, level
        if (ue() > 31) return false; // seq_parameter_set_id
        int chromaFormat = 1;
        boolean separateColourPlane = false;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chromaFormat = ue();
            if (chromaFormat > 3) return false;
            if (chromaFormat == 3) separateColourPlane = bits(1) == 1;
            if (ue() > 6 || ue() > 6) return false; // bit depths
            bits(1); // qpprime_y_zero_transform_bypass_flag
            if (bits(1) == 1) { // seq_scaling_matrix_present_flag
                int lists = chromaFormat != 3 ? 8 : 12;
                for (int i = 0; i < lists && !overrun; i++) {
                    if (bits(1) == 1 && !skipScalingList(i < 6 ? 16 : 64)) return false;
                }
            }
        }
        if (ue() > 12) return false; // log2_max_frame_num_minus4
        int pocType = ue();
        if (pocType == 0) {
            if (ue() > 12) return false;
        } else if (pocType == 1) {
            bits(1);
            se();
            se();
            int cycle = ue();
            if (cycle > 255) return false;
            for (int i = 0; i < cycle && !overrun; i++) se();
        } else if (pocType != 2) {
            return false;
        }
        ue(); // max_num_ref_frames
        bits(1); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = ue() + 1;
        int heightUnits = ue() + 1;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) bits(1); // mb_adaptive_frame_field_flag
        bits(1); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (bits(1) == 1) {
            cropLeft = ue();
            cropRight = ue();
            cropTop = ue();
            cropBottom = ue();
        }
        if (overrun || widthMbs <= 0 || heightUnits <= 0 || widthMbs > 1024 || heightUnits > 1024) return false;
        int chromaArrayType = separateColourPlane ? 0 : chromaFormat;
        int cropUnitX = chromaArrayType == 0 ? 1 : (chromaFormat == 3 ? 1 : 2);
        int cropUnitY = (chromaArrayType == 0 ? 1 : (chromaFormat == 1 ? 2 : 1)) * (2 - frameMbsOnly);
        long w = widthMbs * 16L - (long) cropUnitX * ((long) cropLeft + cropRight);
        long h = (2L - frameMbsOnly) * heightUnits * 16L - (long) cropUnitY * ((long) cropTop + cropBottom);
        if (w <= 0 || h <= 0) return false;
        width = (int) w;
        height = (int) h;
        return true;
    }

    int width() { return width; }
    int height() { return height; }

    private boolean skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                int delta = se();
                if (overrun || delta < -128 || delta > 127) return false;
                next = (last + delta + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
        return !overrun;
    }

    /** Unsigned exp-Golomb; a code longer than 31 bits (or past the end) sets {@link #overrun}. */
    private int ue() {
        int leading = 0;
        while (bits(1) == 0) {
            if (overrun || ++leading > 31) {
                overrun = true;
                return 0;
            }
        }
        if (leading == 0) return 0;
        long v = (1L << leading) - 1 + bitsLong(leading);
        if (v > Integer.MAX_VALUE) {
            overrun = true;
            return 0;
        }
        return (int) v;
    }

    private int se() {
        int k = ue();
        return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }

    private long bitsLong(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 1) | bits(1);
        return v;
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (bit == 8) {
                if (!nextByte()) {
                    overrun = true;
                    return 0;
                }
                bit = 0;
            }
            v = (v << 1) | ((current >>> (7 - bit)) & 1);
            bit++;
        }
        return v;
    }

    /** The next RBSP byte: an emulation prevention byte (03 after 00 00) is skipped. */
    private boolean nextByte() {
        if (pos >= end) return false;
        int b = buf[pos++] & 0xFF;
        if (zeros >= 2 && b == 3) {
            zeros = 0;
            if (pos >= end) return false;
            b = buf[pos++] & 0xFF;
        }
        zeros = b == 0 ? zeros + 1 : 0;
        current = b;
        return true;
    }
}
