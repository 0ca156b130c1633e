package dev.chorus.bench.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationSitesTest {
    private final AllocationSites sites = new AllocationSites("Harness.forwardNext",
            List.of("dev.chorus.media.sfu.ForwardingHarness", "dev.chorus.media.sfu.LoopbackLink"));

    @Test
    void chorusCodeIsItsOwnOwner() {
        assertThat(sites.owner("dev.chorus.media.sfu.Consumer.forward")).isEqualTo("chorus");
    }

    @Test
    void theBenchmarkStandInsForTheSocketAreTheHarnessNotChorus() {
        assertThat(sites.owner("dev.chorus.media.sfu.LoopbackLink.send")).isEqualTo("harness");
        assertThat(sites.owner("dev.chorus.media.sfu.ForwardingHarness.forwardNext")).isEqualTo("harness");
        // A class whose name merely starts like a harness class is not one.
        assertThat(sites.owner("dev.chorus.media.sfu.ForwardingHarnessLike.run")).isEqualTo("chorus");
    }

    @Test
    void aLibraryIsNamedByItsFirstTwoPackageSegments() {
        assertThat(sites.owner("org.jitsi.srtp.crypto.SrtpCipherGcm.setIV")).isEqualTo("org.jitsi");
    }
}
