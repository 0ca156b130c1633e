package dev.chorus.media.rtp;

/**
 * A zero-copy, reusable view of an RTCP compound packet (RFC 3550 §6, RFC 5506 reduced size allowed) in a
 * {@code byte[]} region. {@link #wrap} checks every packet's header, length and the minimum size its type and count
 * imply — SR/RR report blocks, SDES chunks, BYE sources, RTPFB (generic NACK, transport-cc), PSFB (PLI, FIR, REMB)
 * — so the accessors never read past a packet. Mutators rewrite SSRCs in place.
 */
public final class RtcpCompound {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int APP = 204;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;
    public static final int XR = 207;

    /** RTPFB FMT: generic NACK (RFC 4585). */
    public static final int FMT_NACK = 1;
    /** RTPFB FMT: transport-wide congestion control feedback. */
    public static final int FMT_TRANSPORT_CC = 15;
    /** PSFB FMT: picture loss indication. */
    public static final int FMT_PLI = 1;
    /** PSFB FMT: full intra request (RFC 5104). */
    public static final int FMT_FIR = 4;
    /** PSFB FMT: application layer feedback (REMB). */
    public static final int FMT_AFB = 15;

    /** Upper bound of packets in one compound. */
    public static final int MAX_PACKETS = 32;

    private final int[] offsets = new int[MAX_PACKETS];
    private final int[] lengths = new int[MAX_PACKETS];
    private byte[] buf;
    private int count;
    private RtcpStatus status = RtcpStatus.TOO_SHORT;

    /** Validates and points the view at {@code buf[off, off+len)}. */
    public RtcpStatus wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.count = 0;
        status = check(off, len);
        if (status != RtcpStatus.OK) {
            count = 0;
        }
        return status;
    }

    private RtcpStatus check(int off, int len) {
        if (len < 4 || off < 0 || off + len > buf.length) {
            return RtcpStatus.TOO_SHORT;
        }
        int p = off;
        int end = off + len;
        while (p < end) {
            if (end - p < 4) {
                return RtcpStatus.TOO_SHORT;
            }
            int b0 = buf[p] & 0xFF;
            if ((b0 >>> 6) != 2) {
                return RtcpStatus.BAD_VERSION;
            }
            int pt = buf[p + 1] & 0xFF;
            if (pt < 192 || pt > 223) {
                return RtcpStatus.NOT_RTCP;
            }
            int plen = 4 * (BigEndian.u16(buf, p + 2) + 1);
            if (plen > end - p) {
                return RtcpStatus.LENGTH_PAST_END;
            }
            int body = plen;
            if ((b0 & 0x20) != 0) {
                if (p + plen != end) {
                    return RtcpStatus.BAD_PADDING; // only the last packet may be padded (RFC 3550 §6.4.1)
                }
                int pad = buf[p + plen - 1] & 0xFF;
                if (pad == 0 || pad > plen - 4) {
                    return RtcpStatus.BAD_PADDING;
                }
                body = plen - pad;
            }
            if (!lengthFits(p, pt, b0 & 0x1F, body)) {
                return RtcpStatus.BAD_PACKET_LENGTH;
            }
            if (count == MAX_PACKETS) {
                return RtcpStatus.TOO_MANY_PACKETS;
            }
            offsets[count] = p;
            lengths[count++] = body;
            p += plen;
        }
        return RtcpStatus.OK;
    }

    /** Minimum sizes by type (body excludes padding). */
    private boolean lengthFits(int p, int pt, int countOrFmt, int body) {
        return switch (pt) {
            case SR -> body >= 28 + 24 * countOrFmt;
            case RR -> body >= 8 + 24 * countOrFmt;
            case SDES -> sdesFits(p, countOrFmt, body);
            case BYE -> body >= 4 + 4 * countOrFmt && byeReasonFits(p, countOrFmt, body);
            case APP -> body >= 12;
            case RTPFB -> body >= 12 && switch (countOrFmt) {
                case FMT_NACK -> body >= 16 && (body - 12) % 4 == 0;
                case FMT_TRANSPORT_CC -> body >= 20;
                default -> true;
            };
            case PSFB -> body >= 12 && switch (countOrFmt) {
                case FMT_PLI -> true;
                case FMT_FIR -> body >= 20 && (body - 12) % 8 == 0;
                case FMT_AFB -> !isRembAt(p, body) || (body >= 20 && body >= 20 + 4 * (buf[p + 16] & 0xFF));
                default -> true;
            };
            case XR -> body >= 8;
            default -> true;
        };
    }

    private boolean sdesFits(int p, int sources, int body) {
        int q = p + 4;
        int end = p + body;
        for (int s = 0; s < sources; s++) {
            if (end - q < 4) {
                return false;
            }
            q += 4; // SSRC/CSRC
            while (true) {
                if (q >= end) {
                    return false;
                }
                int type = buf[q] & 0xFF;
                if (type == 0) { // end of items, then pad to a 32-bit boundary
                    q = p + (((q - p) / 4) + 1) * 4;
                    break;
                }
                if (q + 2 > end) {
                    return false;
                }
                int l = buf[q + 1] & 0xFF;
                if (q + 2 + l > end) {
                    return false;
                }
                q += 2 + l;
            }
            if (q > end) {
                return false;
            }
        }
        return true;
    }

    private boolean byeReasonFits(int p, int sources, int body) {
        int q = p + 4 + 4 * sources;
        if (q >= p + body) {
            return true; // no reason
        }
        int l = buf[q] & 0xFF;
        return q + 1 + l <= p + body;
    }

    private boolean isRembAt(int p, int body) {
        return body >= 16 && buf[p + 12] == 'R' && buf[p + 13] == 'E' && buf[p + 14] == 'M' && buf[p + 15] == 'B';
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(i);
        }
    }

    public RtcpStatus status() { return status; }
    public byte[] buffer() { return buf; }
    /** Number of packets in the compound. */
    public int packetCount() { return count; }

    /** Packet type (200 SR, 201 RR, ...). */
    public int packetType(int i) { checkIndex(i); return buf[offsets[i] + 1] & 0xFF; }
    /** The 5-bit count / FMT field. */
    public int countOrFmt(int i) { checkIndex(i); return buf[offsets[i]] & 0x1F; }
    /** Absolute offset of packet {@code i}. */
    public int packetOffset(int i) { checkIndex(i); return offsets[i]; }
    /** Length of packet {@code i} without padding. */
    public int packetLength(int i) { checkIndex(i); return lengths[i]; }

    /** SSRC of the sender (SR, RR, RTPFB, PSFB, APP, XR) or the first source (SDES, BYE; 0 if none). */
    public long senderSsrc(int i) {
        checkIndex(i);
        return lengths[i] >= 8 ? BigEndian.u32(buf, offsets[i] + 4) : 0;
    }

    public void setSenderSsrc(int i, long ssrc) {
        checkIndex(i);
        if (lengths[i] >= 8) {
            BigEndian.put32(buf, offsets[i] + 4, ssrc);
        }
    }

    /** SSRC of the media source of a feedback packet (RTPFB/PSFB). */
    public long mediaSsrc(int i) {
        requireFeedback(i);
        return BigEndian.u32(buf, offsets[i] + 8);
    }

    public void setMediaSsrc(int i, long ssrc) {
        requireFeedback(i);
        BigEndian.put32(buf, offsets[i] + 8, ssrc);
    }

    private void requireFeedback(int i) {
        int pt = packetType(i);
        if (pt != RTPFB && pt != PSFB) {
            throw new IllegalStateException("not a feedback packet");
        }
    }

    public boolean isPli(int i) { return packetType(i) == PSFB && countOrFmt(i) == FMT_PLI; }
    public boolean isFir(int i) { return packetType(i) == PSFB && countOrFmt(i) == FMT_FIR; }
    public boolean isNack(int i) { return packetType(i) == RTPFB && countOrFmt(i) == FMT_NACK; }
    public boolean isTransportCc(int i) { return packetType(i) == RTPFB && countOrFmt(i) == FMT_TRANSPORT_CC; }
    public boolean isRemb(int i) { return packetType(i) == PSFB && countOrFmt(i) == FMT_AFB && isRembAt(offsets[i], lengths[i]); }

    // --- SR / RR ---------------------------------------------------------------------------------------------------

    /** SR NTP timestamp (64 bits). */
    public long srNtpTimestamp(int i) { requireType(i, SR); return (BigEndian.u32(buf, offsets[i] + 8) << 32) | BigEndian.u32(buf, offsets[i] + 12); }
    public long srRtpTimestamp(int i) { requireType(i, SR); return BigEndian.u32(buf, offsets[i] + 16); }
    public long srPacketCount(int i) { requireType(i, SR); return BigEndian.u32(buf, offsets[i] + 20); }
    public long srOctetCount(int i) { requireType(i, SR); return BigEndian.u32(buf, offsets[i] + 24); }

    /** Number of report blocks in an SR or RR. */
    public int reportBlockCount(int i) {
        int pt = packetType(i);
        return pt == SR || pt == RR ? countOrFmt(i) : 0;
    }

    private int block(int i, int k) {
        if (k < 0 || k >= reportBlockCount(i)) {
            throw new IndexOutOfBoundsException(k);
        }
        return offsets[i] + (packetType(i) == SR ? 28 : 8) + 24 * k;
    }

    public long blockSsrc(int i, int k) { return BigEndian.u32(buf, block(i, k)); }
    public void setBlockSsrc(int i, int k, long ssrc) { BigEndian.put32(buf, block(i, k), ssrc); }
    public int blockFractionLost(int i, int k) { return buf[block(i, k) + 4] & 0xFF; }
    /** Cumulative lost (signed 24-bit). */
    public int blockCumulativeLost(int i, int k) {
        int b = block(i, k);
        int v = ((buf[b + 5] & 0xFF) << 16) | ((buf[b + 6] & 0xFF) << 8) | (buf[b + 7] & 0xFF);
        return (v << 8) >> 8;
    }
    public long blockHighestSequence(int i, int k) { return BigEndian.u32(buf, block(i, k) + 8); }
    public long blockJitter(int i, int k) { return BigEndian.u32(buf, block(i, k) + 12); }
    public long blockLastSr(int i, int k) { return BigEndian.u32(buf, block(i, k) + 16); }
    public long blockDelaySinceLastSr(int i, int k) { return BigEndian.u32(buf, block(i, k) + 20); }

    private void requireType(int i, int type) {
        if (packetType(i) != type) {
            throw new IllegalStateException("packet " + i + " is not type " + type);
        }
    }

    // --- feedback details ------------------------------------------------------------------------------------------

    /** Number of NACK FCI entries (PID + BLP). */
    public int nackCount(int i) { return isNack(i) ? (lengths[i] - 12) / 4 : 0; }
    /** Packet id of NACK entry {@code k}. */
    public int nackPid(int i, int k) { return BigEndian.u16(buf, nackAt(i, k)); }
    /** Bitmask of following lost packets of NACK entry {@code k}. */
    public int nackBlp(int i, int k) { return BigEndian.u16(buf, nackAt(i, k) + 2); }

    private int nackAt(int i, int k) {
        if (k < 0 || k >= nackCount(i)) {
            throw new IndexOutOfBoundsException(k);
        }
        return offsets[i] + 12 + 4 * k;
    }

    /** Number of FIR entries. */
    public int firCount(int i) { return isFir(i) ? (lengths[i] - 12) / 8 : 0; }
    public long firSsrc(int i, int k) { return BigEndian.u32(buf, firAt(i, k)); }
    public void setFirSsrc(int i, int k, long ssrc) { BigEndian.put32(buf, firAt(i, k), ssrc); }
    public int firSequence(int i, int k) { return buf[firAt(i, k) + 4] & 0xFF; }

    private int firAt(int i, int k) {
        if (k < 0 || k >= firCount(i)) {
            throw new IndexOutOfBoundsException(k);
        }
        return offsets[i] + 12 + 8 * k;
    }

    /** REMB bitrate in bits per second (mantissa × 2^exp), saturated at {@link Long#MAX_VALUE}; never negative. */
    public long rembBitrate(int i) {
        if (!isRemb(i)) {
            throw new IllegalStateException("not REMB");
        }
        int p = offsets[i] + 17;
        int exp = (buf[p] & 0xFF) >>> 2;
        long mantissa = ((long) (buf[p] & 0x03) << 16) | ((buf[p + 1] & 0xFF) << 8) | (buf[p + 2] & 0xFF);
        // saturate instead of shifting bits into the sign: an 18-bit mantissa fits any exp below its leading zeros
        if (mantissa == 0) return 0;
        return exp >= Long.numberOfLeadingZeros(mantissa) ? Long.MAX_VALUE : mantissa << exp;
    }

    /** Number of SSRCs a REMB applies to. */
    public int rembSsrcCount(int i) { return isRemb(i) ? buf[offsets[i] + 16] & 0xFF : 0; }

    public long rembSsrc(int i, int k) {
        if (k < 0 || k >= rembSsrcCount(i)) {
            throw new IndexOutOfBoundsException(k);
        }
        return BigEndian.u32(buf, offsets[i] + 20 + 4 * k);
    }

    /** Transport-cc base sequence number. */
    public int transportCcBaseSequence(int i) {
        if (!isTransportCc(i)) {
            throw new IllegalStateException("not transport-cc");
        }
        return BigEndian.u16(buf, offsets[i] + 12);
    }

    /** Transport-cc packet status count. */
    public int transportCcStatusCount(int i) {
        if (!isTransportCc(i)) {
            throw new IllegalStateException("not transport-cc");
        }
        return BigEndian.u16(buf, offsets[i] + 14);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RtcpCompound[").append(status);
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? ": " : ", ").append(packetType(i)).append('/').append(countOrFmt(i));
        }
        return sb.append(']').toString();
    }
}
