package dev.chorus.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * SECURITY-CHECKLIST 31: a flood of spoofed Binding requests from many source addresses leaves retained state
 * bounded (directory, validated 5-tuples, address index) and the legitimate transport keeps working.
 * Asserts on retained state sizes, not timing.
 */
class StunFloodTest {
    private static final long T0 = 5_000_000_000L;

    private static InetSocketAddress source(int i) throws Exception {
        byte[] a = {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
        return new InetSocketAddress(InetAddress.getByAddress(a), 1024 + (i % 60000));
    }

    @Test
    void spoofedFloodLeavesStateBoundedAndLegitimateTransportAlive() throws Exception {
        IceDirectory directory = new IceDirectory(4);
        StunRouter router = new StunRouter(directory);
        IceLiteAgent victim = directory.create("peer", T0);
        String ufrag = victim.localUfrag();
        String pwd = victim.localCredentials().pwd();
        InetSocketAddress legit = new InetSocketAddress("127.0.0.1", 40000);
        ByteBuf out = Unpooled.buffer(256);

        // Prebuilt attack packets (re-read each time; the router never moves indices).
        ByteBuf unknown = BindingRequests.check("AAAAAAAA", "peer", "xxxxxxxxxxxxxxxxxxxxxxxx", true);
        ByteBuf forged = BindingRequests.check(ufrag, "peer", "xxxxxxxxxxxxxxxxxxxxxxxx", true);
        ByteBuf noMi = BindingRequests.build(ufrag + ":peer", null, true, true, true, false);
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {0, 1, 0, 4, 0x21, 0x12, (byte) 0xa4, 0x42,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 6, 0, 9});
        ByteBuf[] attacks = {unknown, forged, noMi, garbage};

        long now = T0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            out.clear();
            IceCheckResult r = router.handle(attacks[i % attacks.length], source(i), now, out);
            assertThat(r).isNotIn(IceCheckResult.RESPONDED, IceCheckResult.ROLE_CONFLICT);
            assertThat(out.readableBytes()).isZero();
            if (i % 10_000 == 0) { // the real client keeps its consent fresh throughout
                now += 2_000_000_000L;
                ByteBuf ok = BindingRequests.check(ufrag, "peer", pwd, true);
                assertThat(router.handle(ok, legit, now, out)).isEqualTo(IceCheckResult.RESPONDED);
                ok.release();
            }
        }
        assertThat(directory.size()).isEqualTo(1);
        assertThat(victim.validatedCount()).isEqualTo(1);
        assertThat(router.addressIndexSize()).isEqualTo(1);
        assertThat(victim.isValidated(legit)).isTrue();
        assertThat(victim.selectedAddress()).isEqualTo(legit);
        assertThat(router.count(IceCheckResult.UNKNOWN_UFRAG)).isEqualTo(n / 4);
        assertThat(victim.drops(IceCheckResult.BAD_INTEGRITY)).isEqualTo(n / 4);
        assertThat(victim.drops(IceCheckResult.MISSING_INTEGRITY)).isEqualTo(n / 4);
        assertThat(router.count(IceCheckResult.MALFORMED)).isEqualTo(n / 4);

        // Even a credentialed peer cycling through many source addresses cannot grow state beyond the caps.
        for (int i = 0; i < 10_000; i++) {
            ByteBuf ok = BindingRequests.check(ufrag, "peer", pwd, false);
            router.handle(ok, source(i), now, out.clear());
            ok.release();
        }
        assertThat(victim.validatedCount()).isLessThanOrEqualTo(IceLiteAgent.MAX_VALIDATED_ADDRESSES);
        assertThat(router.addressIndexSize()).isLessThanOrEqualTo(directory.capacity() * IceLiteAgent.MAX_VALIDATED_ADDRESSES + 1);
        assertThat(victim.selectedAddress()).as("selected pair survives eviction").isEqualTo(legit);
        for (ByteBuf b : attacks) {
            b.release();
        }
        out.release();
    }
}
