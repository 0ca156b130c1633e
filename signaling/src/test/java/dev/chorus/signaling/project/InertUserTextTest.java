package dev.chorus.signaling.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.auth.JoinGrant;
import dev.chorus.signaling.auth.MintRequest;
import dev.chorus.signaling.testing.ControlFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SECURITY-CHECKLIST 27 at the service level: identities, room ids and metadata carrying log-injection, JNDI,
 * format-string, SQL or HTML payloads go through create-room, mint and join unchanged and inert: stored verbatim
 * through bound parameters, returned verbatim in the grant, and written to the audit trail only as escaped
 * printable ASCII (identities only as hashes). Control characters (CR, LF, NUL, ESC, bidi overrides) in ids are
 * refused outright: ids have one canonical printable form; metadata may carry them (it is JSON data).
 */
class InertUserTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"${jndi:ldap://127.0.0.1:1389/a}", "${env:AWS_SECRET_ACCESS_KEY}", "%s%s%n%x%p",
            "'; DROP TABLE rooms; --", "\" OR \"1\"=\"1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "{{7*7}}", "#{7*7}", "../../etc/passwd", "Robert'); DELETE FROM keys;--"})
    void case27_hostileTextIsStoredReturnedAndAuditedInert(String text) throws Exception {
        try (ControlFixture f = new ControlFixture()) {
            RoomService rooms = new RoomService(f.store, f.audit, f.clock, ProjectEvents.NONE);
            rooms.create(f.acmeApi(), text, "ip");
            assertThat(f.store.room(ControlFixture.PROJECT, text).orElseThrow().roomId()).isEqualTo(text);

            ObjectNode meta = JSON.createObjectNode().put("note", "line1\r\nline2 " + text).put("html", text);
            var minted = f.issuer.mint(f.acmeApi(), new MintRequest(text, text, Set.of(Scope.ROOM_JOIN), null, null,
                    null, meta, null), "ip");
            JoinGrant g = f.admission.admit(minted.token(), text, "ip");
            assertThat(g.identity()).isEqualTo(text);
            assertThat(g.roomId()).isEqualTo(text);
            assertThat(JSON.readTree(g.meta())).isEqualTo(meta);

            byte[] audit = Files.readAllBytes(f.audit.file());
            for (byte b : audit) {
                assertThat(b == '\n' || (b >= 0x20 && b < 0x7f)).as("printable ASCII, byte %d", b).isTrue();
            }
            String auditText = new String(audit, StandardCharsets.US_ASCII);
            assertThat(auditText).doesNotContain("${", "<script", "<img", "%s", "'", "\r");
            assertThat(auditText).doesNotContain(minted.token());
            assertThat(AuditVerifier.verify(f.audit.file()).intact()).isTrue();
            // the identity appears only as a hash
            assertThat(auditText).contains(dev.chorus.signaling.audit.AuditEvent.identityHash(ControlFixture.PROJECT,
                    text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nb", "a\nINFO fake log line", "nul\u0000", "esc\u001b[2J", "bidi\u202egnp.exe",
            "zero\u200bwidth", "line\u2028sep", " ", "e\u0301" /* not NFC */})
    void case27_controlCharactersInIdsAreRefusedBeforeAnythingIsStored(String text) {
        try (ControlFixture f = new ControlFixture()) {
            RoomService rooms = new RoomService(f.store, f.audit, f.clock, ProjectEvents.NONE);
            int writes = f.counting.writes();
            assertThatThrownBy(() -> rooms.create(f.acmeApi(), text, "ip")).isInstanceOfSatisfying(
                    ServiceException.class, e -> assertThat(e.error()).isEqualTo(ServiceError.INVALID_REQUEST));
            assertThatThrownBy(() -> f.issuer.mint(f.acmeApi(), MintRequest.of(ControlFixture.ROOM, text,
                    Set.of(Scope.ROOM_JOIN), null), "ip")).isInstanceOf(ServiceException.class);
            assertThat(f.counting.writes()).isEqualTo(writes);
        }
    }
}
