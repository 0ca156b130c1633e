package dev.chorus.signaling.project;

import static dev.chorus.signaling.project.ServiceAssertions.assertError;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.auth.TokenRefusedException;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoomAndRevocationServiceTest {
    private final ControlFixture f = new ControlFixture();
    private final RecordingEvents events = new RecordingEvents();
    private final RoomService rooms = new RoomService(f.store, f.audit, f.clock, events);
    private final RevocationService revocations = new RevocationService(f.store, f.audit, f.clock, events);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void roomsAreCreatedWithinTheProjectLimitAndDuplicatesConflict() {
        f.store.updateProject(f.store.project(PROJECT).orElseThrow().withLimits(10, 4)); // 2 open rooms already
        rooms.create(f.acmeApi(), "r3", "ip");
        assertError(() -> rooms.create(f.acmeApi(), "r3", "ip"), ServiceError.CONFLICT);
        rooms.create(f.acmeApi(), "r4", "ip");
        assertError(() -> rooms.create(f.acmeApi(), "r5", "ip"), ServiceError.LIMIT_EXCEEDED);
        rooms.close(f.acmeApi(), "r3", "ip");
        rooms.create(f.acmeApi(), "r5", "ip");
        assertThat(rooms.list(f.acmeApi())).extracting(Room::roomId).contains("r3", "r4", "r5");
        assertThat(f.auditLines().stream().filter(l -> l.contains("\"action\":\"room.create\"")).count())
                .isEqualTo(5);
    }

    @Test
    void closingARoomRefusesFurtherJoinsAndTellsLiveSessionsOnce() {
        String token = f.es256(f.claims());
        rooms.close(f.acmeApi(), ROOM, "ip");
        rooms.close(f.acmeApi(), ROOM, "ip");
        assertThat(events.events).containsExactly("roomClosed acme room-a");
        assertThatThrownBy(() -> f.verifier.verify(token, ROOM)).isInstanceOfSatisfying(TokenRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(RefusalReason.ROOM_CLOSED));
    }

    @Test
    void revokingAJtiOrASubjectTakesEffectForVerificationAndIsAnnounced() {
        var c = f.claims();
        String token = f.es256(c);
        String jti = c.get("jti").textValue();
        revocations.revokeToken(f.acmeApi(), jti, "ip");
        assertThatThrownBy(() -> f.verifier.verify(token, ROOM)).isInstanceOfSatisfying(TokenRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(RefusalReason.TOKEN_REVOKED));
        // the deny-list entry outlives any token of the project
        f.clock.advance(Duration.ofHours(1));
        assertThat(f.store.purgeExpiredRevocations(f.clock.instant())).isZero();
        f.clock.advance(Duration.ofMinutes(2));
        assertThat(f.store.purgeExpiredRevocations(f.clock.instant())).isEqualTo(1);

        String t2 = f.es256(f.claims().put("sub", "user-x"));
        f.clock.advance(Duration.ofSeconds(1));
        revocations.revokeSubject(f.acmeApi(), "user-x", "ip");
        assertThatThrownBy(() -> f.verifier.verify(t2, ROOM)).isInstanceOfSatisfying(TokenRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(RefusalReason.SUBJECT_REVOKED));
        assertThat(events.events).containsExactly("tokenRevoked acme " + jti, "subjectRevoked acme user-x");
        assertThat(String.join("\n", f.auditLines())).doesNotContain("user-x");
        assertError(() -> revocations.revokeToken(f.acmeApi(), "short", "ip"), ServiceError.INVALID_REQUEST);
        assertError(() -> revocations.revokeSubject(f.acmeApi(), "a\r\nb", "ip"), ServiceError.INVALID_REQUEST);
    }
}
