package dev.chorus.turn.core;

import static dev.chorus.stun.StunAttributes.*;
import static dev.chorus.stun.StunMessageType.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.turn.auth.SecretRing;
import dev.chorus.common.net.AddressRange;
import dev.chorus.turn.policy.RelayPeerPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TURN protocol core driven without sockets: RFC 8656 behaviour and SECURITY-CHECKLIST 43–48.
 */
class TurnCoreTest {
    static final String SECRET = "test-secret-0123456789abcdef";
    static final String OLD_SECRET = "old-secret-0123456789abcdef";
    static final long T0 = 1_800_000_000_000L;  // a fixed "now", Unix millis
    static final InetSocketAddress PEER = addr("8.8.4.4", 40000);

    long now = T0;
    RecordingIo io;
    SecretRing secrets;
    TurnCore core;
    final ClientKey client = new ClientKey(ClientKey.UDP, addr("203.0.113.7", 50000), addr("198.51.100.1", 3478));

    static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50009),
                RelayPeerPolicy.defaults(Set.of(3478, 5349)));
    }

    void build(TurnSettings s, RelayPeerPolicy policy) {
        if (io != null) io.releaseAll();
        io = new RecordingIo();
        secrets = new SecretRing(List.of(SECRET));
        core = new TurnCore(s, secrets, policy, io, new Random(1));
    }

    @AfterEach
    void tearDown() {
        io.releaseAll();
    }

    /** A client with a valid credential that expires {@code ttlSeconds} from now. */
    TurnRequests creds(String id, int ttlSeconds) {
        String user = (now / 1000 + ttlSeconds) + ":" + id;
        return new TurnRequests(user, SecretRing.password(SECRET.getBytes(), user));
    }

    /** Feeds one client packet and returns the single answer (parsed), or null if none. */
    StunMessage exchange(ClientKey from, TurnRequests c, ByteBuf packet) {
        io.releaseAll();
        core.onClientPacket(from, packet, now);
        packet.release();
        if (io.toClient.isEmpty()) return null;
        assertThat(io.toClient).hasSize(1);
        return c.read(io.toClient.peek().message());
    }

    StunMessage exchange(TurnRequests c, ByteBuf packet) {
        return exchange(client, c, packet);
    }

    /** Runs the 401 challenge, then the authenticated Allocate. */
    StunMessage allocate(ClientKey from, TurnRequests c) {
        if (c.nonce == null) {
            StunMessage challenge = exchange(from, c, c.allocate());
            assertThat(TurnRequests.errorCode(challenge)).isEqualTo(401);
        }
        return exchange(from, c, c.allocate());
    }

    StunMessage allocate(TurnRequests c) {
        return allocate(client, c);
    }

    static boolean success(StunMessage m) {
        return m != null && m.messageClass() == CLASS_SUCCESS;
    }

    // ------------------------------------------------------------------ 43: missing or wrong credentials

    @Test
    void allocateWithoutCredentialsIsChallengedAndCreatesNothing() {
        TurnRequests c = creds("alice", 600);
        StunMessage m = exchange(c, c.allocate());
        assertThat(m.messageType()).isEqualTo(type(METHOD_ALLOCATE, CLASS_ERROR));
        assertThat(TurnRequests.errorCode(m)).isEqualTo(401);
        assertThat(m.has(REALM)).isTrue();
        assertThat(m.string(m.indexOf(NONCE))).startsWith("obMatJos2");
        assertThat(m.has(PASSWORD_ALGORITHMS)).isTrue();
        assertThat(m.has(MESSAGE_INTEGRITY)).isFalse();
        assertThat(core.allocationCount()).isZero();
        assertThat(io.openRelays).isEmpty();
    }

    @Test
    void allocateWithWrongPasswordIs401AndCreatesNothing() {
        TurnRequests c = creds("alice", 600);
        exchange(c, c.allocate());
        c.password = SecretRing.password("another-secret-0123456789".getBytes(), c.username);
        assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).isEqualTo(401);
        c.password = "";
        assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).isEqualTo(401);
        assertThat(core.allocationCount()).isZero();
        assertThat(core.refusals(Refusal.UNAUTHORIZED)).isEqualTo(3);
    }

    @Test
    void unauthorizedAnswersAreRateLimitedPerSource() {
        int answered = 0;
        for (int i = 0; i < 200; i++) {
            TurnRequests c = creds("x" + i, 600);
            if (exchange(c, c.allocate()) != null) answered++;
        }
        assertThat(answered).isEqualTo(20);  // the default burst; the clock did not move
        assertThat(core.refusals(Refusal.RATE_LIMITED)).isEqualTo(180);
        ClientKey other = new ClientKey(ClientKey.UDP, addr("192.0.2.99", 1234), client.server());
        TurnRequests c = creds("y", 600);
        assertThat(exchange(other, c, c.allocate())).as("another source is still answered").isNotNull();
        now += 1000;
        assertThat(exchange(c, c.allocate())).as("budget refills with time").isNotNull();
    }

    // ------------------------------------------------------------------ 44: malformed and expired usernames

    @ParameterizedTest
    @ValueSource(strings = {"alice", "-1800000600:alice", "18000O0600:alice", "1800000600:a:b", "1800000600:",
            ":alice", "1800000600", "99999999999999999999:alice", "1800000600:al ice", "0x6B49D218:alice"})
    void malformedUsernamesAre401EvenWithTheRightHmac(String username) {
        TurnRequests c = new TurnRequests(username, SecretRing.password(SECRET.getBytes(), username));
        exchange(c, c.allocate());
        assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).isEqualTo(401);
        assertThat(core.allocationCount()).isZero();
    }

    @Test
    void expiredAndTooDistantUsernamesAre401() {
        TurnRequests expired = creds("alice", -1);
        exchange(expired, expired.allocate());
        assertThat(TurnRequests.errorCode(exchange(expired, expired.allocate()))).isEqualTo(401);
        TurnRequests now0 = creds("alice", 0);
        exchange(now0, now0.allocate());
        assertThat(TurnRequests.errorCode(exchange(now0, now0.allocate()))).isEqualTo(401);
        TurnRequests far = creds("alice", 86_400);  // beyond turn.max-credential-ttl (660 s by default)
        exchange(far, far.allocate());
        assertThat(TurnRequests.errorCode(exchange(far, far.allocate()))).isEqualTo(401);
        assertThat(core.allocationCount()).isZero();
    }

    // ------------------------------------------------------------------ 45: rotation and retired secrets

    @Test
    void duringRotationBothSecretsWorkAndARetiredSecretIs401() {
        secrets.replace(List.of(SECRET, OLD_SECRET));
        String user = (now / 1000 + 600) + ":bob";
        TurnRequests oldCreds = new TurnRequests(user, SecretRing.password(OLD_SECRET.getBytes(), user));
        assertThat(success(allocate(oldCreds))).isTrue();
        TurnRequests newCreds = creds("carol", 600);
        ClientKey second = new ClientKey(ClientKey.UDP, addr("203.0.113.8", 50000), client.server());
        assertThat(success(allocate(second, newCreds))).isTrue();

        secrets.replace(List.of(SECRET));  // OLD_SECRET retired
        StunMessage refused = exchange(oldCreds, oldCreds.refresh(600));
        assertThat(TurnRequests.errorCode(refused)).isEqualTo(401);
        ClientKey third = new ClientKey(ClientKey.UDP, addr("203.0.113.9", 50000), client.server());
        TurnRequests again = new TurnRequests(user, SecretRing.password(OLD_SECRET.getBytes(), user));
        assertThat(TurnRequests.errorCode(allocate(third, again))).isEqualTo(401);
        assertThat(success(exchange(second, newCreds, newCreds.refresh(600)))).isTrue();
    }

    // ------------------------------------------------------------------ nonces and algorithms

    @Test
    void staleNonceIs438WithAFreshNonceAndNoncesAreBoundToTheSource() {
        TurnRequests c = creds("alice", 600);
        exchange(c, c.allocate());
        String first = c.nonce;
        now += 301_000;
        c = new TurnRequests(creds("alice", 600).username, null);
        c.password = SecretRing.password(SECRET.getBytes(), c.username);
        c.nonce = first;
        StunMessage m = exchange(c, c.allocate());
        assertThat(TurnRequests.errorCode(m)).isEqualTo(438);
        assertThat(c.nonce).isNotEqualTo(first);
        assertThat(success(exchange(c, c.allocate()))).isTrue();

        ClientKey other = new ClientKey(ClientKey.UDP, addr("203.0.113.7", 50001), client.server());
        TurnRequests stolen = creds("eve", 600);
        stolen.nonce = c.nonce;
        assertThat(TurnRequests.errorCode(exchange(other, stolen, stolen.allocate()))).isEqualTo(438);
    }

    @Test
    void sha256PasswordAlgorithmAndMessageIntegritySha256() {
        TurnRequests c = creds("alice", 600);
        c.algorithm = PASSWORD_ALGORITHM_SHA256;
        StunMessage m = allocate(c);
        assertThat(success(m)).isTrue();
        assertThat(m.messageIntegritySha256Index()).isGreaterThanOrEqualTo(0);
        assertThat(StunIntegrity.verifyMessageIntegritySha256(m, StunKey.longTermSha256(c.username, c.realm, c.password))).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(m)).isTrue();
    }

    @Test
    void passwordAlgorithmNegotiationErrorsAre400() {
        TurnRequests c = creds("alice", 600);
        exchange(c, c.allocate());
        // PASSWORD-ALGORITHMS that is not what we offered (a downgrade attempt: MD5 only)
        StunMessage m = exchange(c, c.request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_UDP)
                .addPasswordAlgorithms(PASSWORD_ALGORITHM_MD5).addPasswordAlgorithm(PASSWORD_ALGORITHM_MD5)));
        assertThat(TurnRequests.errorCode(m)).isEqualTo(400);
        // PASSWORD-ALGORITHM without PASSWORD-ALGORITHMS
        m = exchange(c, c.request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_UDP)
                .addPasswordAlgorithm(PASSWORD_ALGORITHM_SHA256)));
        assertThat(TurnRequests.errorCode(m)).isEqualTo(400);
        // an algorithm we did not offer
        m = exchange(c, c.request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_UDP)
                .addPasswordAlgorithms(PASSWORD_ALGORITHM_SHA256, PASSWORD_ALGORITHM_MD5).addPasswordAlgorithm(0x0003)));
        assertThat(TurnRequests.errorCode(m)).isEqualTo(400);
        // SHA-256 chosen but the key computed with MD5: integrity fails
        c.algorithm = PASSWORD_ALGORITHM_MD5;
        m = exchange(c, c.request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_UDP)
                .addPasswordAlgorithms(PASSWORD_ALGORITHM_SHA256, PASSWORD_ALGORITHM_MD5)
                .addPasswordAlgorithm(PASSWORD_ALGORITHM_SHA256)));
        assertThat(TurnRequests.errorCode(m)).isEqualTo(401);
        assertThat(core.allocationCount()).isZero();
    }

    @Test
    void successResponsesCarryMessageIntegrityWithTheLongTermKey() {
        TurnRequests c = creds("alice", 600);
        StunMessage m = allocate(c);
        assertThat(success(m)).isTrue();
        assertThat(StunIntegrity.verifyMessageIntegrity(m, StunKey.longTermMd5(c.username, c.realm, c.password))).isTrue();
        InetSocketAddress relayed = m.xorAddress(m.indexOf(XOR_RELAYED_ADDRESS));
        assertThat(relayed.getAddress().getHostAddress()).isEqualTo("198.51.100.1");
        assertThat(relayed.getPort()).isBetween(50000, 50009);
        assertThat(m.xorAddress(m.indexOf(XOR_MAPPED_ADDRESS))).isEqualTo(client.client());
        assertThat(m.uint32(m.indexOf(LIFETIME))).isEqualTo(600);
    }

    // ------------------------------------------------------------------ allocation state machine

    @Test
    void allocateRules437442440AndRetransmission() {
        TurnRequests c = creds("alice", 600);
        exchange(c, c.allocate());
        byte[] tx = TurnRequests.txid();
        StunMessage first = exchange(c, c.request(METHOD_ALLOCATE, tx, x -> x.addRequestedTransport(TRANSPORT_UDP)));
        assertThat(success(first)).isTrue();
        InetSocketAddress relayed = first.xorAddress(first.indexOf(XOR_RELAYED_ADDRESS));
        StunMessage retransmit = exchange(c, c.request(METHOD_ALLOCATE, tx, x -> x.addRequestedTransport(TRANSPORT_UDP)));
        assertThat(success(retransmit)).isTrue();
        assertThat(retransmit.xorAddress(retransmit.indexOf(XOR_RELAYED_ADDRESS))).isEqualTo(relayed);
        assertThat(TurnRequests.errorCode(exchange(c, c.allocate()))).isEqualTo(437);
        assertThat(core.allocationCount()).isEqualTo(1);

        ClientKey k2 = new ClientKey(ClientKey.UDP, addr("203.0.113.7", 50002), client.server());
        TurnRequests c2 = creds("alice2", 600);
        exchange(k2, c2, c2.allocate());
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.request(METHOD_ALLOCATE, x -> x.addRequestedTransport(TRANSPORT_TCP)))))
                .isEqualTo(442);
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.request(METHOD_ALLOCATE, x -> { })))).isEqualTo(400);
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.request(METHOD_ALLOCATE,
                x -> x.addRequestedTransport(TRANSPORT_UDP).addInt(REQUESTED_ADDRESS_FAMILY, 0x02000000))))).isEqualTo(440);
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.refresh(600)))).isEqualTo(437);
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.createPermission(PEER)))).isEqualTo(437);
        assertThat(TurnRequests.errorCode(exchange(k2, c2, c2.request(METHOD_ALLOCATE,
                x -> x.addRequestedTransport(TRANSPORT_UDP).addInt(0x7F01, 0).addInt(0x7F02, 0))))).isEqualTo(420);
        StunMessage unknown = exchange(k2, c2, c2.request(METHOD_ALLOCATE, x -> x.addInt(0x7F01, 0).addInt(0x7F02, 0)));
        assertThat(unknown.bytes(unknown.indexOf(UNKNOWN_ATTRIBUTES))).containsExactly(0x7F, 0x01, 0x7F, 0x02);
    }

    @Test
    void refreshWithLifetimeZeroDeletesTheAllocationAndFreesItsPort() {
        TurnRequests c = creds("alice", 600);
        allocate(c);
        assertThat(io.openRelays).hasSize(1);
        StunMessage m = exchange(c, c.refresh(0));
        assertThat(success(m)).isTrue();
        assertThat(m.uint32(m.indexOf(LIFETIME))).isZero();
        assertThat(core.allocationCount()).isZero();
        assertThat(io.openRelays).isEmpty();
        assertThat(success(exchange(c, c.allocate()))).as("a new allocation after deletion").isTrue();
    }

    @Test
    void otherUsernameOnAnExistingAllocationIs441() {
        TurnRequests c = creds("alice", 600);
        allocate(c);
        TurnRequests mallory = creds("mallory", 600);
        mallory.nonce = c.nonce;
        assertThat(TurnRequests.errorCode(exchange(mallory, mallory.refresh(600)))).isEqualTo(441);
        assertThat(TurnRequests.errorCode(exchange(mallory, mallory.createPermission(PEER)))).isEqualTo(441);
    }

    @Test
    void sendAndDataIndicationsThroughAPermission() {
        TurnRequests c = creds("alice", 600);
        allocate(c);
        byte[] payload = "opaque-srtp".getBytes();
        core.onClientPacket(client, TurnRequests.send(PEER, payload), now);
        assertThat(io.toPeer).as("no permission yet").isEmpty();
        assertThat(core.refusals(Refusal.NO_PERMISSION)).isEqualTo(1);

        assertThat(success(exchange(c, c.createPermission(PEER)))).isTrue();
        io.releaseAll();
        ByteBuf send = TurnRequests.send(addr("8.8.4.4", 40001), payload);  // permissions ignore the port
        core.onClientPacket(client, send, now);
        send.release();
        assertThat(io.toPeer).hasSize(1);
        assertThat(ByteBufUtil.getBytes(io.toPeer.peek().data())).isEqualTo(payload);
        assertThat(io.toPeer.peek().peer()).isEqualTo(addr("8.8.4.4", 40001));

        Allocation a = core.allocation(client);
        io.releaseAll();
        ByteBuf fromPeer = Unpooled.wrappedBuffer(payload);
        core.onPeerPacket(a, addr("8.8.4.4", 9999), fromPeer, now);
        StunMessage data = StunMessage.parse(io.toClient.peek().message());
        assertThat(data.messageType()).isEqualTo(type(METHOD_DATA, CLASS_INDICATION));
        assertThat(data.xorAddress(data.indexOf(XOR_PEER_ADDRESS))).isEqualTo(addr("8.8.4.4", 9999));
        assertThat(data.bytes(data.indexOf(DATA))).isEqualTo(payload);

        io.releaseAll();
        core.onPeerPacket(a, addr("1.1.1.1", 9999), fromPeer, now);
        assertThat(io.toClient).as("no permission for that peer").isEmpty();
        now += 301_000;
        core.onPeerPacket(a, addr("8.8.4.4", 9999), fromPeer, now);
        assertThat(io.toClient).as("permission expired after 300 s").isEmpty();
        fromPeer.release();
    }

    @Test
    void channelBindAndChannelDataBothWaysWithStreamPadding() {
        ClientKey tcp = new ClientKey(ClientKey.TCP, addr("203.0.113.7", 40000), client.server());
        TurnRequests c = creds("alice", 600);
        allocate(tcp, c);
        assertThat(success(exchange(tcp, c, c.channelBind(0x4001, PEER)))).isTrue();
        io.releaseAll();
        byte[] payload = {1, 2, 3, 4, 5};
        ByteBuf cd = TurnRequests.channelData(0x4001, payload, true);
        core.onClientPacket(tcp, cd, now);
        cd.release();
        assertThat(ByteBufUtil.getBytes(io.toPeer.peek().data())).isEqualTo(payload);
        assertThat(io.toPeer.peek().peer()).isEqualTo(PEER);

        io.releaseAll();
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        core.onPeerPacket(core.allocation(tcp), PEER, in, now);
        ByteBuf out = io.toClient.peek().message();
        assertThat(out.readableBytes()).as("padded to 4 over TCP").isEqualTo(12);
        assertThat(out.getUnsignedShort(0)).isEqualTo(0x4001);
        assertThat(out.getUnsignedShort(2)).isEqualTo(5);

        allocate(client, c = creds("bob", 600));
        exchange(c, c.channelBind(0x4FFF, PEER));
        io.releaseAll();
        core.onPeerPacket(core.allocation(client), PEER, in, now);
        assertThat(io.toClient.peek().message().readableBytes()).as("not padded over UDP").isEqualTo(9);
        in.release();
    }

    @Test
    void channelBindingRules() {
        TurnRequests c = creds("alice", 660);
        allocate(c);
        InetSocketAddress other = addr("8.8.4.4", 40001);
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBind(0x3FFF, PEER)))).isEqualTo(400);
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBind(0x5000, PEER)))).isEqualTo(400);
        assertThat(success(exchange(c, c.channelBind(0x4000, PEER)))).isTrue();
        assertThat(success(exchange(c, c.channelBind(0x4000, PEER)))).as("refresh of the same binding").isTrue();
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBind(0x4000, other)))).as("number bound elsewhere").isEqualTo(400);
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBind(0x4002, PEER)))).as("peer bound elsewhere").isEqualTo(400);

        now += 290_000;
        assertThat(success(exchange(c, c.refresh(600)))).isTrue();
        now += 290_000;
        assertThat(TurnRequests.errorCode(exchange(c, c.refresh(600)))).as("nonce older than 300 s").isEqualTo(438);
        assertThat(success(exchange(c, c.refresh(600)))).isTrue();
        now += 25_000;  // 605 s: the channel expired 5 s ago
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBind(0x4000, other))))
                .as("an expired channel stays reserved for 5 minutes").isEqualTo(400);
        ByteBuf cd = TurnRequests.channelData(0x4000, new byte[] {1}, false);
        io.releaseAll();
        core.onClientPacket(client, cd, now);
        cd.release();
        assertThat(io.toPeer).as("expired channel relays nothing").isEmpty();
        assertThat(success(exchange(c, c.channelBind(0x4000, PEER)))).as("the same peer may bind it again").isTrue();
    }

    // ------------------------------------------------------------------ 46: peer address policy

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::",
            "2001:0:7f00:1::", "2001:0:4136:e378:8000:63bf:80ff:fffe", "::ffff:0:7f00:1", "fe80::5efe:7f00:1",
            "169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe", "fd00:ec2::254", "100.100.100.200",
            "10.1.2.3", "192.168.0.1", "172.16.5.4", "fc00::1", "fe80::1", "224.0.0.251", "ff02::fb",
            "255.255.255.255", "0.0.0.0", "::"})
    void forbiddenPeersAre403ForPermissionAndChannelBindAndDroppedForSend(String literal) throws Exception {
        byte[] raw = AddressRange.literal(literal);
        TurnRequests c = creds("alice", 600);
        allocate(c);
        assertThat(TurnRequests.errorCode(exchange(c, c.createPermissionRaw(raw, 0)))).isEqualTo(403);
        assertThat(TurnRequests.errorCode(exchange(c, c.channelBindRaw(0x4000, raw, 5000)))).isEqualTo(403);
        io.releaseAll();
        core.onClientPacket(client, TurnRequests.sendRaw(raw, 5000, new byte[] {1}), now);
        assertThat(io.toPeer).isEmpty();
        assertThat(core.refusals(Refusal.FORBIDDEN_PEER)).isEqualTo(3);
    }

    @Test
    void ownListeningPortsAreRefusedEvenWhenLoopbackIsAllowed() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("127.0.0.1")).withRelayPorts(50000, 50009),
                new RelayPeerPolicy(List.of(AddressRange.parse("127.0.0.0/8"), AddressRange.parse("::1/128")), List.of(), List.of(),
                        List.of(InetAddress.getByName("127.0.0.1").getAddress()), Set.of(3478, 5349)));
        TurnRequests c = creds("alice", 600);
        allocate(c);
        assertThat(success(exchange(c, c.channelBind(0x4000, addr("127.0.0.1", 3480))))).isTrue();
        for (String literal : new String[] {"127.0.0.1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "::1", "0.0.0.0"}) {
            assertThat(TurnRequests.errorCode(exchange(c, c.channelBindRaw(0x4001, AddressRange.literal(literal), 3478))))
                    .as(literal).isEqualTo(403);
            assertThat(TurnRequests.errorCode(exchange(c, c.channelBindRaw(0x4001, AddressRange.literal(literal), 5349))))
                    .as(literal).isEqualTo(403);
        }
        assertThat(success(exchange(c, c.createPermission(addr("127.0.0.1", 3478))))).as("permission has no port").isTrue();
        io.releaseAll();
        core.onClientPacket(client, TurnRequests.send(addr("127.0.0.1", 3478), new byte[] {1}), now);
        assertThat(io.toPeer).as("but Send to our own port is dropped").isEmpty();
    }

    @Test
    void ipv6PeersOnAnIpv4RelayAre443() throws Exception {
        TurnRequests c = creds("alice", 600);
        allocate(c);
        assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(addr("2a00:1450::1", 1))))).isEqualTo(443);
        StunMessage ok = exchange(c, c.createPermissionRaw(AddressRange.literal("::ffff:8.8.8.8"), 0));
        assertThat(success(ok)).as("mapped form of a public IPv4 address is that address").isTrue();
    }

    // ------------------------------------------------------------------ 47: quotas

    @Test
    void quotasAllocationsPerUserTotalPermissionsAndPorts() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50009)
                .withQuotas(2, 3, 2, 1000, 1500), RelayPeerPolicy.defaults(Set.of(3478)));
        TurnRequests alice = creds("alice", 600);
        for (int i = 0; i < 2; i++) {
            assertThat(success(allocate(key(i), alice))).isTrue();
            alice.nonce = null;
        }
        assertThat(TurnRequests.errorCode(allocate(key(2), alice))).isEqualTo(486);
        TurnRequests bob = creds("bob", 600);
        assertThat(success(allocate(key(3), bob))).isTrue();
        bob.nonce = null;
        assertThat(TurnRequests.errorCode(allocate(key(4), bob))).as("server total").isEqualTo(508);
        bob.nonce = null;
        assertThat(TurnRequests.errorCode(exchange(key(3), bob, bob.refresh(600)))).isEqualTo(401);  // nonce for key(3)

        assertThat(success(exchange(key(3), bob, bob.createPermission(addr("8.8.8.1", 1), addr("8.8.8.2", 1))))).isTrue();
        assertThat(TurnRequests.errorCode(exchange(key(3), bob, bob.createPermission(addr("8.8.8.3", 1))))).isEqualTo(508);
        assertThat(success(exchange(key(3), bob, bob.createPermission(addr("8.8.8.2", 1))))).as("refresh is fine").isTrue();

        // bandwidth: 1500-byte burst, 1000 B/s
        Allocation a = core.allocation(key(3));
        io.releaseAll();
        for (int i = 0; i < 3; i++) core.onClientPacket(key(3), TurnRequests.send(addr("8.8.8.1", 1), new byte[700]), now);
        assertThat(io.toPeer).hasSize(2);
        assertThat(core.refusals(Refusal.BANDWIDTH)).isEqualTo(1);
        ByteBuf big = Unpooled.wrappedBuffer(new byte[1200]);
        core.onPeerPacket(a, addr("8.8.8.1", 1), big, now);
        core.onPeerPacket(a, addr("8.8.8.1", 1), big, now);
        assertThat(core.refusals(Refusal.BANDWIDTH)).isEqualTo(2);
        big.release();
    }

    @Test
    void exhaustedOrBusyRelayPortsAre508() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50001),
                RelayPeerPolicy.defaults(Set.of(3478)));
        io.busyPorts.add(50000);
        TurnRequests c = creds("alice", 600);
        assertThat(success(allocate(key(0), c))).isTrue();
        c.nonce = null;
        assertThat(TurnRequests.errorCode(allocate(key(1), c))).isEqualTo(508);
    }

    ClientKey key(int i) {
        return new ClientKey(ClientKey.UDP, addr("203.0.113.7", 51000 + i), client.server());
    }

    // ------------------------------------------------------------------ 48: credential expiry ends the allocation

    @Test
    void allocationLifetimeNeverExceedsTheCredentialAndRefreshAfterExpiryIsRefused() {
        TurnRequests c = creds("alice", 120);
        StunMessage m = allocate(c);
        assertThat(m.uint32(m.indexOf(LIFETIME))).isEqualTo(120);
        now += 60_000;
        StunMessage r = exchange(c, c.refresh(3600));
        assertThat(success(r)).isTrue();
        assertThat(r.uint32(r.indexOf(LIFETIME))).as("refresh cannot extend past the credential").isEqualTo(60);
        assertThat(core.allocation(client).expiresAtMillis()).isEqualTo(T0 + 120_000);

        now += 61_000;
        assertThat(TurnRequests.errorCode(exchange(c, c.refresh(600)))).isEqualTo(401);
        core.tick(now);
        assertThat(core.allocationCount()).isZero();
        assertThat(io.openRelays).isEmpty();
    }

    @Test
    void allocationsExpireByLifetime() {
        TurnRequests c = creds("alice", 660);
        allocate(c);
        core.tick(now + 599_000);
        assertThat(core.allocationCount()).isEqualTo(1);
        core.tick(now + 600_000);
        assertThat(core.allocationCount()).isZero();
    }

    // ------------------------------------------------------------------ robustness

    @Test
    void garbageNeverThrowsAndIsCounted() {
        Random r = new Random(42);
        TurnRequests c = creds("alice", 600);
        allocate(c);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(120)];
            r.nextBytes(b);
            if (b.length > 8 && r.nextBoolean()) {  // make many of them look like STUN
                b[0] &= 0x3F;
                b[4] = 0x21; b[5] = 0x12; b[6] = (byte) 0xA4; b[7] = 0x42;
                b[2] = 0;
                b[3] = (byte) ((b.length - 20) & ~3);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(b);
            core.onClientPacket(client, buf, now);
            buf.release();
            io.releaseAll();
        }
        assertThat(core.refusals(Refusal.MALFORMED)).isPositive();
        assertThat(core.allocationCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ issue 15 findings 1 and 13, IPv6 relays

    @Test
    void aRevokedSessionsCredentialNoLongerAllocatesRefreshesOrPermitsAndItsAllocationsEnd() {
        TurnRequests alice = creds("idA.sess1", 600);
        assertThat(success(allocate(key(0), alice))).isTrue();
        alice.nonce = null;
        assertThat(success(allocate(key(1), alice))).isTrue();
        TurnRequests other = creds("idA.sess2", 600);  // the same identity's other session is not revoked
        assertThat(success(allocate(key(2), other))).isTrue();
        assertThat(core.allocationCount()).isEqualTo(3);

        core.revoke("idA.sess1", now + 600_000, now);
        assertThat(core.allocationCount()).as("the session's live allocations end").isEqualTo(1);
        assertThat(core.allocation(key(2))).isNotNull();
        assertThat(io.openRelays).hasSize(1);

        alice.nonce = null;
        assertThat(TurnRequests.errorCode(allocate(key(0), alice))).as("allocate").isEqualTo(401);
        assertThat(TurnRequests.errorCode(exchange(key(0), alice, alice.refresh(600)))).as("refresh").isEqualTo(401);
        assertThat(TurnRequests.errorCode(exchange(key(0), alice, alice.createPermission(PEER)))).as("permission")
                .isEqualTo(401);
        // a refreshed token's credential of the same session (new expiry, same opaque id) is revoked as well
        TurnRequests refreshed = creds("idA.sess1", 500);
        assertThat(TurnRequests.errorCode(allocate(key(3), refreshed))).isEqualTo(401);
        assertThat(core.refusals(Refusal.REVOKED)).isEqualTo(4);
        assertThat(success(exchange(key(2), other, other.createPermission(PEER)))).isTrue();

        now += 600_001;
        core.tick(now);
        assertThat(core.revokedCount()).as("forgotten once its credentials have expired").isZero();
    }

    @Test
    void theAllocationQuotaPerIdentityHoldsAcrossTheUsernamesOfEachRefresh() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50099)
                .withQuotas(3, 100, 8, 1_000_000, 1_000_000), RelayPeerPolicy.defaults(Set.of(3478)));
        int granted = 0;
        for (int i = 0; i < 40; i++) {  // one identity, one session: a new username per token refresh
            now += 1000;
            StunMessage m = allocate(key(i), creds("idA.sess1", 600));
            if (success(m)) granted++;
            else assertThat(TurnRequests.errorCode(m)).isEqualTo(486);
        }
        assertThat(granted).isEqualTo(3);
        assertThat(success(allocate(key(50), creds("idA.sess2", 600)))).as("another session, same identity").isFalse();
        assertThat(success(allocate(key(51), creds("idB.sess3", 600)))).as("another identity").isTrue();
    }

    @Test
    void ipv6AllocationsRelayToIpv6PeersOnly() throws Exception {
        build(TurnSettings.defaults(InetAddress.getByName("198.51.100.1")).withRelayPorts(50000, 50009)
                .withRelayAddressV6(InetAddress.getByName("2001:db8::10")), RelayPeerPolicy.defaults(Set.of(3478)));
        TurnRequests c = creds("alice", 600);
        exchange(c, c.allocate());
        StunMessage m = exchange(c, c.request(METHOD_ALLOCATE,
                x -> x.addRequestedTransport(TRANSPORT_UDP).addInt(REQUESTED_ADDRESS_FAMILY, 0x02000000)));
        assertThat(success(m)).isTrue();
        assertThat(core.allocation(client).relayAddress().getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:10");
        assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(addr("8.8.8.8", 1))))).isEqualTo(443);
        assertThat(success(exchange(c, c.createPermission(addr("2a00:1450::1", 1))))).isTrue();
        assertThat(TurnRequests.errorCode(exchange(c, c.createPermission(addr("fd00::1", 1))))).as("policy").isEqualTo(403);
        io.releaseAll();
        core.onClientPacket(client, TurnRequests.send(addr("2a00:1450::1", 5000), new byte[10]), now);
        assertThat(io.toPeer).hasSize(1);
        assertThat(io.toPeer.peek().peer()).isEqualTo(addr("2a00:1450::1", 5000));
        ByteBuf in = Unpooled.wrappedBuffer(new byte[20]);
        io.releaseAll();
        core.onPeerPacket(core.allocation(client), addr("2a00:1450::1", 5000), in, now);
        in.release();
        assertThat(io.toClient).hasSize(1);
    }

    // ------------------------------------------------------------------ private peer-to-peer rooms (docs/p2p.md)

    @Test
    void aP2pSessionsAllocationReachesExactlyItsPartnersRelayedAddressesAndNothingAfterTheRevoke() {
        core.markP2p("idA.s1");
        core.markP2p("idB.s2");
        TurnRequests alice = creds("idA.s1", 600);
        TurnRequests bob = creds("idB.s2", 600);
        TurnRequests carol = creds("idC.s3", 600);  // an ordinary (SFU) session on the same relay
        assertThat(success(allocate(key(0), alice))).isTrue();
        assertThat(success(allocate(key(1), bob))).isTrue();
        assertThat(success(allocate(key(2), carol))).isTrue();
        InetSocketAddress ra = core.allocation(key(0)).relayAddress();
        InetSocketAddress rb = core.allocation(key(1)).relayAddress();
        InetSocketAddress rc = core.allocation(key(2)).relayAddress();

        assertThat(TurnRequests.errorCode(exchange(key(0), alice, alice.createPermission(rb))))
                .as("alone in its room: nobody").isEqualTo(403);
        core.pairP2p("idA.s1", "idB.s2");
        assertThat(success(exchange(key(0), alice, alice.createPermission(rb)))).isTrue();
        assertThat(TurnRequests.errorCode(exchange(key(0), alice, alice.createPermission(PEER))))
                .as("a public peer the general policy allows").isEqualTo(403);
        assertThat(TurnRequests.errorCode(exchange(key(0), alice, alice.channelBind(0x4001, rc))))
                .as("another session's relay on the same address").isEqualTo(403);
        assertThat(success(exchange(key(0), alice, alice.channelBind(0x4000, rb)))).isTrue();
        assertThat(success(exchange(key(1), bob, bob.createPermission(ra)))).isTrue();
        assertThat(success(exchange(key(2), carol, carol.createPermission(PEER))))
                .as("ordinary sessions keep the general policy").isTrue();

        byte[] payload = {1, 2, 3, 4};
        io.releaseAll();
        feed(key(0), TurnRequests.send(rb, payload));
        feed(key(0), TurnRequests.channelData(0x4000, payload, false));
        feed(key(0), TurnRequests.send(rc, payload));  // same IP, other port: not the partner
        assertThat(io.toPeer).extracting(RecordingIo.ToPeer::peer).containsExactly(rb, rb);

        io.releaseAll();
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        core.onPeerPacket(core.allocation(key(1)), ra, in, now);
        core.onPeerPacket(core.allocation(key(1)), rc, in, now);  // permitted IP, but not the partner's relay
        assertThat(io.toClient).hasSize(1);
        long forbidden = core.refusals(Refusal.FORBIDDEN_PEER);

        core.revoke("idB.s2", now + 600_000, now);  // the session was revoked: its allocation and the pairing end
        assertThat(core.allocation(key(1))).isNull();
        io.releaseAll();
        feed(key(0), TurnRequests.channelData(0x4000, payload, false));
        feed(key(0), TurnRequests.send(rb, payload));
        assertThat(io.toPeer).as("the partner's relayed address is no longer reachable").isEmpty();
        assertThat(core.refusals(Refusal.FORBIDDEN_PEER)).isGreaterThan(forbidden);
        core.onPeerPacket(core.allocation(key(0)), rb, in, now);
        in.release();
        assertThat(io.toClient).isEmpty();
        core.endP2p("idA.s1");
        assertThat(core.p2pSessions()).isZero();
    }

    private void feed(ClientKey from, ByteBuf packet) {
        core.onClientPacket(from, packet, now);
        packet.release();
    }
}
