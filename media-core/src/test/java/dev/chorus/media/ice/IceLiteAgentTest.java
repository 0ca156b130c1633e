package dev.chorus.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.stun.StunAttributes;
import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunParseStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ICE-lite agent behaviour through the router: answers, drops (checklist 29), consent (32), 5-tuples (33). */
class IceLiteAgentTest {
    private static final long T0 = 1_000_000_000L;
    private static final long SEC = TimeUnit.SECONDS.toNanos(1);
    private static final String REMOTE = "rEm0";

    private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 50000);
    private final InetSocketAddress moved = new InetSocketAddress("127.0.0.1", 50001);
    private IceDirectory directory;
    private StunRouter router;
    private IceLiteAgent agent;
    private String ufrag;
    private String pwd;
    private ByteBuf out;

    @BeforeEach
    void setUp() {
        directory = new IceDirectory(16);
        router = new StunRouter(directory);
        agent = directory.create(REMOTE, T0);
        ufrag = agent.localUfrag();
        pwd = agent.localCredentials().pwd();
        out = Unpooled.buffer(256);
    }

    @AfterEach
    void tearDown() {
        out.release();
    }

    private IceCheckResult send(ByteBuf req, InetSocketAddress from, long now) {
        out.clear();
        try {
            return router.handle(req, from, now, out);
        } finally {
            req.release();
        }
    }

    @Test
    void credentialsAreFreshAndLongEnough() {
        IceCredentials a = IceCredentials.generate();
        IceCredentials b = IceCredentials.generate();
        assertThat(a.ufrag()).hasSizeGreaterThanOrEqualTo(4).isNotEqualTo(b.ufrag());
        assertThat(a.pwd()).hasSizeGreaterThanOrEqualTo(22).isNotEqualTo(b.pwd());
        assertThat(a.toString()).doesNotContain(a.pwd());
    }

    @Test
    void validCheckIsAnsweredWithXorMappedAddressIntegrityAndFingerprint() {
        ByteBuf req = BindingRequests.check(ufrag, REMOTE, pwd, false);
        byte[] txid = StunMessage.parse(req).transactionId();
        assertThat(send(req, client, T0 + SEC)).isEqualTo(IceCheckResult.RESPONDED);
        StunMessage resp = StunMessage.parse(out);
        assertThat(resp.status()).isEqualTo(StunParseStatus.OK);
        assertThat(resp.messageType()).isEqualTo(StunMessageType.BINDING_SUCCESS);
        assertThat(resp.transactionIdEquals(txid)).isTrue();
        assertThat(resp.xorAddress(resp.indexOf(StunAttributes.XOR_MAPPED_ADDRESS))).isEqualTo(client);
        assertThat(StunIntegrity.verifyMessageIntegrity(resp, StunKey.shortTerm(pwd))).isTrue();
        assertThat(StunIntegrity.verifyFingerprint(resp)).isTrue();
        assertThat(agent.isValidated(client)).isTrue();
        assertThat(agent.selectedAddress()).isNull(); // no USE-CANDIDATE yet
        assertThat(agent.state()).isEqualTo(IceLiteAgent.State.CONNECTED);
        assertThat(router.agentFor(client)).isSameAs(agent);
        assertThat(agent.validChecks()).isEqualTo(1);
    }

    @Test
    void useCandidateSelectsThePair() {
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0)).isEqualTo(IceCheckResult.RESPONDED);
        assertThat(agent.selectedAddress()).isEqualTo(client);
    }

    // --- SECURITY-CHECKLIST 29: dropped silently, counted, no state -------------------------------------------

    @Test
    void unknownUfragIsDroppedWithoutState() {
        assertThat(send(BindingRequests.check("nope", REMOTE, pwd, true), client, T0)).isEqualTo(IceCheckResult.UNKNOWN_UFRAG);
        assertNothingLearned();
        assertThat(router.count(IceCheckResult.UNKNOWN_UFRAG)).isEqualTo(1);
    }

    @Test
    void wrongRemoteUfragIsDropped() {
        assertThat(send(BindingRequests.check(ufrag, "other", pwd, true), client, T0)).isEqualTo(IceCheckResult.WRONG_REMOTE_UFRAG);
        assertThat(send(BindingRequests.build(ufrag + ":", pwd, true, true, true, false), client, T0))
                .isEqualTo(IceCheckResult.WRONG_REMOTE_UFRAG);
        assertNothingLearned();
    }

    @Test
    void missingUsernameIsDropped() {
        assertThat(send(BindingRequests.build(null, pwd, true, true, true, false), client, T0)).isEqualTo(IceCheckResult.MISSING_USERNAME);
        assertThat(send(BindingRequests.build(ufrag, pwd, true, true, true, false), client, T0)).isEqualTo(IceCheckResult.MISSING_USERNAME);
        assertNothingLearned();
    }

    @Test
    void missingIntegrityIsDropped() {
        assertThat(send(BindingRequests.build(ufrag + ":" + REMOTE, null, true, true, true, false), client, T0))
                .isEqualTo(IceCheckResult.MISSING_INTEGRITY);
        assertNothingLearned();
        assertThat(agent.drops(IceCheckResult.MISSING_INTEGRITY)).isEqualTo(1);
    }

    @Test
    void wrongIntegrityIsDropped() {
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd + "x", true), client, T0)).isEqualTo(IceCheckResult.BAD_INTEGRITY);
        // Signed with the remote's own password instead of ours.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, "AAAAAAAAAAAAAAAAAAAAAAAA", true), client, T0))
                .isEqualTo(IceCheckResult.BAD_INTEGRITY);
        assertNothingLearned();
        assertThat(agent.drops(IceCheckResult.BAD_INTEGRITY)).isEqualTo(2);
    }

    @Test
    void wrongFingerprintIsDropped() {
        ByteBuf req = BindingRequests.check(ufrag, REMOTE, pwd, true);
        req.setByte(req.writerIndex() - 1, req.getByte(req.writerIndex() - 1) ^ 0x5A);
        assertThat(send(req, client, T0)).isEqualTo(IceCheckResult.BAD_FINGERPRINT);
        assertNothingLearned();
    }

    @Test
    void checkWithoutFingerprintIsAccepted() {
        assertThat(send(BindingRequests.build(ufrag + ":" + REMOTE, pwd, true, false, true, false), client, T0))
                .isEqualTo(IceCheckResult.RESPONDED);
    }

    @Test
    void malformedAndNonRequestsAreDroppedAndCounted() {
        ByteBuf trunc = Unpooled.wrappedBuffer(new byte[] {0, 1, 0, 0, 0x21, 0x12});
        assertThat(send(trunc, client, T0)).isEqualTo(IceCheckResult.MALFORMED);
        ByteBuf req = BindingRequests.check(ufrag, REMOTE, pwd, true);
        req.setShort(0, StunMessageType.BINDING_SUCCESS);
        assertThat(send(req, client, T0)).isEqualTo(IceCheckResult.NOT_BINDING_REQUEST);
        assertThat(router.malformed(StunParseStatus.TRUNCATED_HEADER)).isEqualTo(1);
        assertNothingLearned();
    }

    private void assertNothingLearned() {
        assertThat(out.readableBytes()).as("no response").isZero();
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(agent.validatedCount()).isZero();
        assertThat(agent.selectedAddress()).isNull();
        assertThat(router.addressIndexSize()).isZero();
        assertThat(directory.size()).isEqualTo(1);
        assertThat(router.agentFor(client)).isNull();
    }

    // --- role conflict ------------------------------------------------------------------------------------------

    @Test
    void peerClaimingControlledGets487AndNothingIsValidated() {
        ByteBuf req = BindingRequests.build(ufrag + ":" + REMOTE, pwd, true, true, false, true);
        assertThat(send(req, client, T0)).isEqualTo(IceCheckResult.ROLE_CONFLICT);
        StunMessage resp = StunMessage.parse(out);
        assertThat(resp.messageType()).isEqualTo(StunMessageType.BINDING_ERROR);
        assertThat(resp.errorCode(resp.indexOf(StunAttributes.ERROR_CODE))).isEqualTo(487);
        assertThat(StunIntegrity.verifyMessageIntegrity(resp, StunKey.shortTerm(pwd))).isTrue();
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(agent.roleConflicts()).isEqualTo(1);
    }

    // --- SECURITY-CHECKLIST 32: consent freshness ------------------------------------------------------------

    @Test
    void consentExpiresThirtySecondsAfterTheLastValidCheck() {
        send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0);
        long now = T0;
        for (int i = 0; i < 10; i++) { // consent refreshed every 2.5 s keeps the transport alive
            now += 2_500_000_000L;
            assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, false), client, now)).isEqualTo(IceCheckResult.RESPONDED);
            assertThat(agent.tick(now)).isEqualTo(IceLiteAgent.State.CONNECTED);
        }
        long last = now;
        // Invalid checks do not refresh consent.
        send(BindingRequests.check(ufrag, REMOTE, "wrongwrongwrongwrongwrong", false), client, last + 10 * SEC);
        assertThat(agent.tick(last + 29 * SEC)).isEqualTo(IceLiteAgent.State.CONNECTED);
        assertThat(agent.isValidated(client)).isTrue();
        assertThat(agent.tick(last + 30 * SEC)).isEqualTo(IceLiteAgent.State.EXPIRED);
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(agent.selectedAddress()).isNull();
        assertThat(router.agentFor(client)).isNull();
        // A late valid check does not revive it: the transport must be closed and recreated by signaling.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, last + 31 * SEC)).isEqualTo(IceCheckResult.EXPIRED);
        assertThat(agent.isValidated(client)).isFalse();
    }

    @Test
    void transportNeverCheckedExpiresThirtySecondsAfterCreation() {
        assertThat(agent.tick(T0 + 29 * SEC)).isEqualTo(IceLiteAgent.State.NEW);
        assertThat(agent.tick(T0 + 30 * SEC)).isEqualTo(IceLiteAgent.State.EXPIRED);
    }

    // --- SECURITY-CHECKLIST 33 at the agent level ---------------------------------------------------------------

    @Test
    void unvalidatedFiveTupleIsNotValidated() {
        send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0);
        assertThat(agent.isValidated(client)).isTrue();
        assertThat(agent.isValidated(moved)).isFalse();
        assertThat(agent.isValidated(new InetSocketAddress("127.0.0.2", 50000))).isFalse();
        assertThat(router.agentFor(moved)).isNull();
    }

    @Test
    void movedFiveTupleIsValidatedOnlyAfterAValidCheckAndSelectedOnlyWithUseCandidate() {
        send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0);
        assertThat(agent.selectedAddress()).isEqualTo(client);
        // The client moves: a forged check from the new address does nothing.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, "forgedforgedforgedforged", true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.BAD_INTEGRITY);
        assertThat(agent.isValidated(moved)).isFalse();
        assertThat(agent.selectedAddress()).isEqualTo(client);
        // A valid check without USE-CANDIDATE validates it but does not move the selected pair.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, false), moved, T0 + 2 * SEC)).isEqualTo(IceCheckResult.RESPONDED);
        assertThat(agent.isValidated(moved)).isTrue();
        assertThat(agent.selectedAddress()).isEqualTo(client);
        // Nomination from the new 5-tuple moves the selected pair.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), moved, T0 + 3 * SEC)).isEqualTo(IceCheckResult.RESPONDED);
        assertThat(agent.selectedAddress()).isEqualTo(moved);
        assertThat(router.agentFor(moved)).isSameAs(agent);
        // The old 5-tuple ages out 30 s after its last check while the new one stays fresh.
        send(BindingRequests.check(ufrag, REMOTE, pwd, false), moved, T0 + 20 * SEC);
        assertThat(agent.tick(T0 + 31 * SEC)).isEqualTo(IceLiteAgent.State.CONNECTED);
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(agent.isValidated(moved)).isTrue();
    }

    @Test
    void closedAgentValidatesNothing() {
        send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0);
        directory.remove(ufrag);
        assertThat(agent.state()).isEqualTo(IceLiteAgent.State.CLOSED);
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0)).isEqualTo(IceCheckResult.UNKNOWN_UFRAG);
    }

    @Test
    void closeFromAnotherThreadStopsValidationAndTheOwnerForgetsOnTick() throws Exception {
        send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0);
        Thread signaling = new Thread(agent::close);
        signaling.start();
        signaling.join(5_000);
        assertThat(agent.state()).isEqualTo(IceLiteAgent.State.CLOSED);
        assertThat(agent.isValidated(client)).isFalse();
        assertThat(agent.selectedAddress()).isNull();
        // Still registered (signaling removes it separately): checks are no longer answered.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0 + SEC)).isEqualTo(IceCheckResult.EXPIRED);
        assertThat(agent.tick(T0 + 2 * SEC)).isEqualTo(IceLiteAgent.State.CLOSED);
        assertThat(agent.validatedCount()).isZero();
    }

    @Test
    void directoryIsBounded() {
        IceDirectory small = new IceDirectory(2);
        assertThat(small.create("r", T0)).isNotNull();
        assertThat(small.create("r", T0)).isNotNull();
        assertThat(small.create("r", T0)).isNull();
        assertThat(small.size()).isEqualTo(2);
    }

    // --- ICE restart (RFC 8445 §9): new credentials, same agent and path -------------------------------------

    @Test
    void iceRestartAnswersOnlyTheNewGenerationAndKeepsThePath() {
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0)).isEqualTo(IceCheckResult.RESPONDED);
        IceCredentials next = IceCredentials.generate();
        assertThat(directory.restart(agent, next, "n3wR")).isTrue();

        // Until the peer's new checks arrive, the validated and selected path still carries media.
        assertThat(agent.isValidated(client)).isTrue();
        assertThat(agent.selectedAddress()).isEqualTo(client);
        assertThat(agent.localUfrag()).isEqualTo(next.ufrag());
        assertThat(agent.restarts()).isEqualTo(1);
        assertThat(directory.get(ufrag)).isNull();
        assertThat(directory.get(next.ufrag())).isSameAs(agent);
        assertThat(directory.size()).isEqualTo(1);

        // Old generation: unknown ufrag. New local ufrag with the old remote ufrag or old password: refused.
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.UNKNOWN_UFRAG);
        assertThat(send(BindingRequests.check(next.ufrag(), REMOTE, next.pwd(), true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.WRONG_REMOTE_UFRAG);
        assertThat(send(BindingRequests.check(next.ufrag(), "n3wR", pwd, true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.BAD_INTEGRITY);
        assertThat(agent.isValidated(moved)).isFalse();

        // The new generation's check from a new network path nominates it; the response is signed with the new pwd.
        assertThat(send(BindingRequests.check(next.ufrag(), "n3wR", next.pwd(), true), moved, T0 + 2 * SEC))
                .isEqualTo(IceCheckResult.RESPONDED);
        assertThat(StunIntegrity.verifyMessageIntegrity(StunMessage.parse(out), StunKey.shortTerm(next.pwd()))).isTrue();
        assertThat(agent.selectedAddress()).isEqualTo(moved);
        assertThat(router.agentFor(moved)).isSameAs(agent);
    }

    @Test
    void aRestartOfThePeerAloneKeepsOurCredentialsAndAnswersItsNewUfrag() {
        // The peer's answer carries a new ufrag to an offer that kept ours (a subscriber that re-created its
        // endpoint): our ufrag is our own entry, not a taken one (issue 16: refused, every later answer failed).
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), client, T0)).isEqualTo(IceCheckResult.RESPONDED);
        assertThat(directory.restart(agent, agent.localCredentials(), "p33r")).isTrue();

        assertThat(directory.get(ufrag)).isSameAs(agent);
        assertThat(directory.size()).isEqualTo(1);
        assertThat(agent.restarts()).isEqualTo(1);
        assertThat(agent.selectedAddress()).isEqualTo(client); // the path is kept until the peer's new checks
        assertThat(send(BindingRequests.check(ufrag, REMOTE, pwd, true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.WRONG_REMOTE_UFRAG);
        assertThat(send(BindingRequests.check(ufrag, "p33r", pwd, true), moved, T0 + SEC))
                .isEqualTo(IceCheckResult.RESPONDED);
        assertThat(agent.selectedAddress()).isEqualTo(moved);
    }

    @Test
    void iceRestartOntoATakenUfragOrOfAnUnregisteredAgentChangesNothing() {
        IceLiteAgent other = directory.create("oth3r", T0);
        assertThat(directory.restart(agent, other.localCredentials(), "n3wR")).isFalse();
        assertThat(agent.localUfrag()).isEqualTo(ufrag);
        assertThat(directory.get(ufrag)).isSameAs(agent);
        assertThat(directory.get(other.localUfrag())).isSameAs(other);

        directory.remove(ufrag);
        assertThat(directory.restart(agent, IceCredentials.generate(), "n3wR")).isFalse();
        assertThat(directory.size()).isEqualTo(1);
    }
}
