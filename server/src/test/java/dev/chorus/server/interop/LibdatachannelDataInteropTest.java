package dev.chorus.server.interop;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 interop: libdatachannel (its own SCTP over OpenSSL DTLS, through npm's node-datachannel) opens the SDK's
 * data channels to Chorus from a network namespace and exchanges relayed messages with real Chromium running the
 * SDK ({@link DataPairs}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LibdatachannelDataInteropTest extends NamespacedStackTest {

    @BeforeAll
    static void requireStack() {
        Stacks.requireNodePackage("node-datachannel");
    }

    @Test
    void libdatachannelAndChromiumExchangeDataMessagesThroughChorus() throws Exception {
        DataPairs.exchange(chromium, server.pageUrl(), "ldc", "ldc-data",
                netns.exec(List.of(Stacks.NODE.toString(), "libdatachannel-data-client.mjs")));
    }
}
