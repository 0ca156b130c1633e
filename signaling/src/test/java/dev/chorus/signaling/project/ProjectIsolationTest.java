package dev.chorus.signaling.project;

import static dev.chorus.signaling.testing.ControlFixture.OTHER_PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.testing.ControlFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * SECURITY-CHECKLIST 25 at the service level: project A's key used on project B's rooms, tokens or keys is
 * answered "not found" (indistinguishable from a missing resource), changes nothing in B, and is audited.
 */
class ProjectIsolationTest {
    private final ControlFixture f = new ControlFixture();
    private final RecordingEvents events = new RecordingEvents();
    private final KeyService keys = new KeyService(f.store, f.audit, f.clock, events);
    private final RoomService rooms = new RoomService(f.store, f.audit, f.clock, events);
    private final RevocationService revocations = new RevocationService(f.store, f.audit, f.clock, events);
    private final BackendPrincipal acme = f.acmeApi();
    private final BackendPrincipal globex = f.globexApi();

    @AfterEach
    void close() {
        f.close();
    }

    private void assertNotFoundAndAudited(Executable call, String expectedAuditReason) {
        int before = f.auditLines().size();
        int writes = f.counting.writes();
        org.junit.jupiter.api.Assertions.assertThrows(ServiceException.class, call);
        try {
            call.execute();
        } catch (ServiceException e) {
            assertThat(e.error()).isEqualTo(ServiceError.NOT_FOUND);
            assertThat(e.error().httpStatus()).isEqualTo(404);
            assertThat(e.getMessage()).isEqualTo("not found");
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        assertThat(f.counting.writes()).as("no writes").isEqualTo(writes);
        List<String> lines = f.auditLines();
        assertThat(lines).hasSize(before + 2); // two calls above, one event each
        assertThat(lines.getLast()).contains("\"project\":\"" + PROJECT + "\"", "\"outcome\":\"refused\"",
                "\"reason\":\"" + expectedAuditReason + "\"");
    }

    @Test
    void case25_aKeyOfProjectACannotSeeOrTouchProjectBsKeys() {
        assertThat(keys.list(acme)).extracting(KeyInfo::kid).doesNotContain(f.otherKid, f.otherHsKid);
        assertNotFoundAndAudited(() -> keys.get(acme, f.otherKid, "ip"), "cross_project");
        assertNotFoundAndAudited(() -> keys.retire(acme, f.otherKid, "ip"), "cross_project");
        assertNotFoundAndAudited(() -> keys.revoke(acme, f.otherHsKid, "ip"), "cross_project");
        assertNotFoundAndAudited(() -> keys.rotate(acme, f.otherKid, null, "ip"), "cross_project");
        // an unknown kid gets the same answer to the caller
        assertNotFoundAndAudited(() -> keys.get(acme, "k_doesNotExist", "ip"), "not_found");
        assertNotFoundAndAudited(() -> keys.get(acme, "../" + f.otherKid, "ip"), "not_found");
        assertThat(f.store.key(f.otherKid).orElseThrow().state()).isEqualTo(KeyState.ACTIVE);
        assertThat(f.store.key(f.otherHsKid).orElseThrow().state()).isEqualTo(KeyState.ACTIVE);
        assertThat(events.events).isEmpty();
    }

    @Test
    void case25_roomsAreNamespacedPerProject() {
        rooms.create(globex, "globex-only", "ip");
        assertThat(rooms.list(acme)).extracting(Room::roomId).doesNotContain("globex-only");
        assertNotFoundAndAudited(() -> rooms.get(acme, "globex-only", "ip"), "not_found");
        assertNotFoundAndAudited(() -> rooms.close(acme, "globex-only", "ip"), "not_found");
        assertThat(f.store.room(OTHER_PROJECT, "globex-only").orElseThrow().isOpen()).isTrue();
        // both projects have a "room-a"; closing acme's leaves globex's open
        rooms.close(acme, ROOM, "ip");
        assertThat(f.store.room(OTHER_PROJECT, ROOM).orElseThrow().isOpen()).isTrue();
        assertThat(events.events).containsExactly("roomClosed acme room-a");
    }

    @Test
    void case25_revocationsOfProjectADoNotReachProjectBsTokens() {
        var c = f.claims().put("iss", OTHER_PROJECT);
        String globexToken = dev.chorus.signaling.auth.JwtWriter.sign(ControlFixture.header("ES256", f.otherKid), c,
                com.auth0.jwt.algorithms.Algorithm.ECDSA256(
                        (java.security.interfaces.ECPublicKey) f.other.getPublic(),
                        (java.security.interfaces.ECPrivateKey) f.other.getPrivate()));
        revocations.revokeToken(acme, c.get("jti").textValue(), "ip");
        revocations.revokeSubject(acme, c.get("sub").textValue(), "ip");
        assertThat(f.verifier.verify(globexToken, ROOM).projectId()).isEqualTo(OTHER_PROJECT);
    }

    @Test
    void case25_tokensMintedByProjectAAreNotValidForProjectBsRoomOfTheSameName() {
        var minted = f.issuer.mint(acme, dev.chorus.signaling.auth.MintRequest.of(ROOM, "u1",
                java.util.Set.of(Scope.ROOM_JOIN), java.time.Duration.ofMinutes(5)), "ip");
        var grant = f.verifier.verify(minted.token(), ROOM);
        assertThat(grant.projectId()).isEqualTo(PROJECT);
    }
}
