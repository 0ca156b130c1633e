package dev.chorus.signaling.project;

import static dev.chorus.signaling.testing.ControlFixture.OTHER_PROJECT;
import static dev.chorus.signaling.project.ServiceAssertions.assertError;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.audit.AuditEvent;
import dev.chorus.signaling.audit.AuditLog;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.store.SqliteStore;
import dev.chorus.signaling.testing.ControlFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ACL grants/revocations, scope overrides and the access policy: durable, project-scoped, audited, announced. */
class LiveAuthorizationServicesTest {
    private final ControlFixture f = new ControlFixture();
    private final RecordingEvents events = new RecordingEvents();
    private final AclService acl = new AclService(f.store, f.audit, f.clock, events);
    private final PermissionService permissions = new PermissionService(f.store, f.audit, f.clock, events);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void grantsAndRevocationsAreStoredAuditedWithChangesAndAnnounced() {
        acl.grant(f.acmeApi(), "agent-1", "caller-9", "video", null, "ip");
        acl.revoke(f.acmeApi(), "agent-1", "caller-9", "video", null, "ip");
        acl.grant(f.acmeApi(), "agent-2", "caller-9", null, null, "ip");
        List<AclEntry> entries = acl.list(f.acmeApi());
        // the revocation replaced the grant of the same (subscriber, publisher, kind, track)
        assertThat(entries).extracting(e -> e.subscriber() + ">" + e.publisher() + ":" + e.kind() + ":" + e.effect())
                .containsExactly("agent-1>caller-9:video:DENY", "agent-2>caller-9::ALLOW");
        assertThat(events.events).containsExactly("aclChanged acme agent-1 caller-9", "aclChanged acme agent-1 caller-9",
                "aclChanged acme agent-2 caller-9");
        List<String> lines = f.auditLines();
        assertThat(lines.stream().filter(l -> l.contains("\"action\":\"acl_granted\""))).hasSize(2);
        assertThat(lines.stream().filter(l -> l.contains("\"action\":\"acl_revoked\""))).singleElement()
                .satisfies(l -> assertThat(l).contains("\"effect\":\"deny\"", "\"kind\":\"video\"",
                        AuditEvent.identityHash(PROJECT, "agent-1")));
        // identities appear only as hashes
        assertThat(String.join("\n", lines)).doesNotContain("agent-1", "caller-9");
    }

    @Test
    void entriesAreProjectScopedAndBadInputIsRefusedAndAudited() {
        acl.grant(f.acmeApi(), "a", "b", null, null, "ip");
        assertThat(acl.list(f.globexApi())).isEmpty();
        assertThat(permissions.accessPolicy(f.globexApi())).isEqualTo(AccessPolicy.DEFAULT);
        assertError(() -> permissions.change(f.globexApi(), "room-b", "a", Map.of(Scope.SUBSCRIBE, false), "ip"),
                ServiceError.NOT_FOUND); // acme's room is invisible to globex
        int before = f.auditLines().size();
        assertError(() -> acl.grant(f.acmeApi(), "a\r\nb", "b", null, null, "ip"), ServiceError.INVALID_REQUEST);
        assertError(() -> acl.grant(f.acmeApi(), "a", "b", "hologram", null, "ip"), ServiceError.INVALID_REQUEST);
        assertError(() -> acl.grant(f.acmeApi(), "a", "b", null, "../x", "ip"), ServiceError.INVALID_REQUEST);
        assertThat(f.auditLines().subList(before, f.auditLines().size()))
                .hasSize(3).allSatisfy(l -> assertThat(l).contains("\"outcome\":\"refused\""));
        assertThat(f.store.aclEntries(PROJECT)).hasSize(1);
        assertThat(f.store.aclEntries(OTHER_PROJECT)).isEmpty();
    }

    @Test
    void scopeOverridesTakeAwayAndRestoreWithinTheTokenOnly() {
        List<Scope> taken = permissions.change(f.acmeApi(), ROOM, "user-1",
                Map.of(Scope.PUBLISH_VIDEO, false, Scope.SUBSCRIBE, false), "ip");
        assertThat(taken).containsExactlyInAnyOrder(Scope.PUBLISH_VIDEO, Scope.SUBSCRIBE);
        Project p = f.store.project(PROJECT).orElseThrow();
        var token = java.util.EnumSet.of(Scope.ROOM_JOIN, Scope.PUBLISH_VIDEO, Scope.SUBSCRIBE, Scope.ROOM_ADMIN);
        // ceiling has no room:admin; overrides take away video and subscribe
        assertThat(EffectiveRights.scopes(token, p, f.store.scopeOverrides(PROJECT, ROOM), "user-1"))
                .containsExactly(Scope.ROOM_JOIN);
        assertThat(EffectiveRights.scopes(token, p, f.store.scopeOverrides(PROJECT, ROOM), "user-2"))
                .containsExactlyInAnyOrder(Scope.ROOM_JOIN, Scope.PUBLISH_VIDEO, Scope.SUBSCRIBE);
        permissions.change(f.acmeApi(), ROOM, "user-1", Map.of(Scope.SUBSCRIBE, true, Scope.PUBLISH_SCREEN, true), "ip");
        // restoring a scope the token never had grants nothing
        assertThat(EffectiveRights.scopes(token, p, f.store.scopeOverrides(PROJECT, ROOM), "user-1"))
                .containsExactlyInAnyOrder(Scope.ROOM_JOIN, Scope.SUBSCRIBE);
        assertThat(events.events).containsExactly("permissionsChanged acme room-a user-1",
                "permissionsChanged acme room-a user-1");
        assertThat(f.auditLines().stream().filter(l -> l.contains("\"action\":\"permission_changed\"")).toList())
                .hasSize(2).first().asString().contains("\"media:publish:video\":\"revoked\"");
        assertError(() -> permissions.change(f.acmeApi(), "no-such-room", "user-1", Map.of(Scope.SUBSCRIBE, false),
                "ip"), ServiceError.NOT_FOUND);
    }

    @Test
    void aclModeCanOnlyBeSwitchedOffInDevModeAndCidrsAreCanonical() {
        AccessPolicy off = new AccessPolicy(false, List.of(), 0, null, false);
        assertError(() -> permissions.setAccessPolicy(f.acmeApi(), off, "ip"), ServiceError.INVALID_REQUEST);
        assertThat(permissions.accessPolicy(f.acmeApi()).aclMode()).isTrue();
        permissions.devMode(true);
        permissions.setAccessPolicy(f.acmeApi(), off, "ip");
        assertThat(permissions.accessPolicy(f.acmeApi()).aclMode()).isFalse();

        AccessPolicy cidrs = new AccessPolicy(true, List.of("::ffff:10.1.2.3/120", "2001:DB8::1/32"), 2,
                "08:00-18:00", true);
        AccessPolicy stored = permissions.setAccessPolicy(f.acmeApi(), cidrs, "ip");
        assertThat(stored.allowedCidrs()).containsExactly("10.1.2.0/24", "2001:db8:0:0:0:0:0:0/32");
        assertError(() -> permissions.setAccessPolicy(f.acmeApi(),
                new AccessPolicy(true, List.of("example.com/8"), 0, null, false), "ip"), ServiceError.INVALID_REQUEST);
        assertError(() -> permissions.setAccessPolicy(f.acmeApi(),
                new AccessPolicy(true, List.of(), 0, "25:00-26:00", false), "ip"), ServiceError.INVALID_REQUEST);
        assertThat(events.events).containsExactly("accessPolicyChanged acme", "accessPolicyChanged acme");
    }

    @Test
    void grantsRevocationsOverridesAndPolicySurviveARestartAndTheAuditChainVerifiesAcrossIt() throws Exception {
        acl.grant(f.acmeApi(), "agent-1", "caller-9", null, null, "ip");
        acl.revoke(f.acmeApi(), "agent-2", "caller-9", "video", "1", "ip");
        permissions.change(f.acmeApi(), ROOM, "user-1", Map.of(Scope.PUBLISH_VIDEO, false), "ip");
        permissions.setAccessPolicy(f.acmeApi(), new AccessPolicy(true, List.of("10.0.0.0/8"), 3, null, false), "ip");
        f.store.revokeToken(PROJECT, "jti-restart-0123456789", f.clock.instant().plusSeconds(3600));
        f.store.revokeSubject(PROJECT, "user-gone", f.clock.instant());
        // "restart": close store and audit trail, open both from the same files
        f.audit.close();
        f.sqlite.close();
        try (SqliteStore reopened = SqliteStore.open(f.dir.resolve("chorus.db"));
             AuditLog audit = AuditLog.open(f.dir.resolve("audit.log"), f.clock)) {
            AclService acl2 = new AclService(reopened, audit, f.clock, ProjectEvents.NONE);
            assertThat(reopened.aclEntries(PROJECT)).extracting(e -> e.subscriber() + ":" + e.effect() + ":" + e.trackId())
                    .containsExactly("agent-1:ALLOW:", "agent-2:DENY:1");
            assertThat(reopened.scopeOverrides(PROJECT, ROOM)).extracting(ScopeOverride::scope)
                    .containsExactly(Scope.PUBLISH_VIDEO);
            assertThat(reopened.accessPolicy(PROJECT).orElseThrow().maxSessionsPerIdentity()).isEqualTo(3);
            assertThat(reopened.isTokenRevoked(PROJECT, "jti-restart-0123456789")).isTrue();
            assertThat(reopened.subjectWatermark(PROJECT, "user-gone")).isPresent();
            acl2.revoke(f.acmeApi(), "agent-1", "caller-9", null, null, "ip"); // audit continues after restart
        }
        var v = AuditVerifier.verify(f.dir.resolve("audit.log"));
        assertThat(v.intact()).as(v.problem()).isTrue();
        assertThat(v.linesChecked()).isEqualTo(5); // 4 before the restart, 1 after, one chain
        assertThat(f.auditLines().getLast()).contains("\"action\":\"acl_revoked\"");
    }
}
