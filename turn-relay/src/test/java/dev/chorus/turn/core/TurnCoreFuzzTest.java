package dev.chorus.turn.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.turn.policy.PeerPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Fuzz harness of the TURN protocol core (RFC 8656) as a client on the internet drives it: a sequence of packets,
 * each either raw bytes or a well-formed request with fuzzed fields (authenticated Allocate, CreatePermission,
 * ChannelBind, Send and ChannelData to any address encoding, Refresh), interleaved with time passing. Contract:
 * the core never throws; every answer is a STUN message; allocations stay within the per-user quota; no relayed
 * datagram goes to an address the default peer policy refuses (loopback, private, the server's own ports, …).
 */
class TurnCoreFuzzTest {
    private static final String SECRET = "fuzz-secret-0123456789-0123456789-abcdef";

    @FuzzTest
    void clientPackets(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    static void check(FuzzedDataProvider data) {
        TurnSettings settings;
        try {
            settings = TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50009);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        PeerPolicy policy = PeerPolicy.defaults(Set.of(3478, 5349));
        RecordingIo io = new RecordingIo();
        TurnCore core = new TurnCore(settings, new SecretRing(List.of(SECRET)), policy, io, new Random(1));
        ClientKey client = new ClientKey(ClientKey.UDP, new InetSocketAddress("203.0.113.7", 50000),
                new InetSocketAddress("198.51.100.1", 3478));
        long now = 1_700_000_000_000L;
        String user = (now / 1000 + 600) + ":fuzz";
        TurnRequests c = new TurnRequests(user, SecretRing.password(SECRET.getBytes(), user));
        try {
            for (int i = 0; i < 16 && data.remainingBytes() > 0; i++) {
                ByteBuf packet = switch (data.consumeInt(0, 7)) {
                    case 0 -> Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(0, 600)));
                    case 1 -> c.allocate();
                    case 2 -> c.createPermissionRaw(address(data), data.consumeInt(0, 65535));
                    case 3 -> c.channelBindRaw(data.consumeInt(0, 0xFFFF), address(data), data.consumeInt(0, 65535));
                    case 4 -> TurnRequests.sendRaw(address(data), data.consumeInt(0, 65535),
                            data.consumeBytes(data.consumeInt(0, 300)));
                    case 5 -> TurnRequests.channelData(data.consumeInt(0x4000, 0x4FFF),
                            data.consumeBytes(data.consumeInt(0, 300)), data.consumeBoolean());
                    case 6 -> c.refresh(data.consumeInt(0, 7200));
                    default -> {
                        now += data.consumeLong(0, 3_600_000);
                        core.tick(now);
                        yield null;
                    }
                };
                if (packet == null) continue;
                core.onClientPacket(client, packet, now);
                packet.release();
                while (!io.toClient.isEmpty()) {
                    ByteBuf answer = io.toClient.poll().message();
                    if ((answer.getByte(answer.readerIndex()) & 0xC0) == 0) {
                        assertThat(c.read(answer).status()).as("our answer parses")
                                .isEqualTo(dev.chorus.stun.StunParseStatus.OK);
                    }
                    answer.release();
                }
                while (!io.toPeer.isEmpty()) {
                    RecordingIo.ToPeer sent = io.toPeer.poll();
                    assertThat(policy.check(sent.peer().getAddress().getAddress(), sent.peer().getPort()))
                            .as("relayed only to an allowed peer").isEqualTo(PeerPolicy.Verdict.ALLOWED);
                    sent.data().release();
                }
                assertThat(core.allocationCount()).isLessThanOrEqualTo(settings.maxAllocationsPerUser());
            }
        } finally {
            core.closeAll();
            io.releaseAll();
        }
    }

    /** 4 or 16 fuzzed bytes: every IPv4 and IPv6 encoding the peer policy must see through. */
    private static byte[] address(FuzzedDataProvider data) {
        return data.consumeBytes(data.consumeBoolean() ? 4 : 16);
    }

}
