package dev.chorus.media.ice;

import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ThreadLocalRandom;

/** Builds Binding requests the way a controlling full agent (Chromium) does. Reusable by other modules' tests. */
public final class BindingRequests {
    private BindingRequests() {}

    /** A request with USERNAME {@code localUfrag:remoteUfrag}, PRIORITY, ICE-CONTROLLING, MI with {@code pwd}, FP. */
    public static ByteBuf check(String localUfrag, String remoteUfrag, String pwd, boolean useCandidate) {
        return build(localUfrag + ":" + remoteUfrag, pwd, useCandidate, true, true, false);
    }

    /** Full control over the parts, for negative tests. {@code pwd == null} leaves MESSAGE-INTEGRITY out. */
    public static ByteBuf build(String username, String pwd, boolean useCandidate, boolean fingerprint,
                                boolean controlling, boolean controlled) {
        ByteBuf out = Unpooled.buffer(200);
        byte[] txid = new byte[12];
        ThreadLocalRandom.current().nextBytes(txid);
        StunWriter w = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, txid);
        if (username != null) {
            w.addUsername(username);
        }
        w.addPriority(0x6e0001ffL);
        if (controlling) {
            w.addIceControlling(0x1234567890L);
        }
        if (controlled) {
            w.addIceControlled(0x0987654321L);
        }
        if (useCandidate) {
            w.addUseCandidate();
        }
        if (pwd != null) {
            w.addMessageIntegrity(StunKey.shortTerm(pwd));
        }
        if (fingerprint) {
            w.addFingerprint();
        }
        w.finish();
        return out;
    }
}
