package dev.chorus.signaling.auth;

import static dev.chorus.signaling.auth.JoinRefusalAssertions.SOURCE;
import static dev.chorus.signaling.auth.JoinRefusalAssertions.assertRefused;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectEvents;
import dev.chorus.signaling.project.RevocationService;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 15 findings 2, 4, 8 and 9: what an attacker found at the join, each reproduced and refused. */
class AdmissionHardeningTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    // ---- finding 2: a future iat (a backend clock running ahead) must not outlive a subject revocation

    @Test
    void subjectRevocationCoversTokensStampedAheadWithinTheClockLeeway() {
        Instant[] closedUpTo = new Instant[1];
        RevocationService revocations = new RevocationService(f.store, f.audit, f.clock, new ProjectEvents() {
            @Override
            public void subjectRevoked(String projectId, String subject, Instant issuedAtOrBefore) {
                closedUpTo[0] = issuedAtOrBefore;
            }
        }, Duration.ofSeconds(30));
        ObjectNode ahead = f.claims();
        long now = f.clock.instant().getEpochSecond();
        ahead.put("iat", now + 20).put("nbf", now).put("exp", now + 600);
        String token = f.es256(ahead);
        JoinGrant live = f.admission.admit(token, ROOM, SOURCE); // minted and admitted before the revocation
        f.admission.ended(PROJECT, live.identity(), live.jti());

        f.clock.advance(Duration.ofSeconds(1));
        Instant watermark = revocations.revokeSubject(f.acmeApi(), "user-7f3a9c", "ip");

        assertThat(live.issuedAt()).as("the live session it admitted is closed too").isBeforeOrEqualTo(closedUpTo[0]);
        assertThat(watermark).isEqualTo(closedUpTo[0]);
        assertRefused(f, token, ROOM, RefusalReason.SUBJECT_REVOKED);
        // still refused while the wall clock passes the stamped iat
        f.clock.advance(Duration.ofSeconds(25));
        assertRefused(f, token, ROOM, RefusalReason.SUBJECT_REVOKED);
        // a replacement issued after the watermark is admitted
        f.clock.advance(Duration.ofSeconds(10));
        assertThat(f.admission.admit(f.es256(f.claims()), ROOM, SOURCE)).isNotNull();
    }

    // ---- finding 4: maxSessions is reserved atomically; one live session per jti

    @Test
    void parallelJoinsCannotOvershootMaxSessions() throws Exception {
        int attempts = 16;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            ObjectNode c = f.claims();
            c.putObject("cond").put("maxSessions", 1);
            tokens.add(f.es256(c));
        }
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JoinGrant>> results = new ArrayList<>();
        try {
            for (String t : tokens) {
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        return f.admission.admit(t, ROOM, SOURCE);
                    } catch (TokenRefusedException e) {
                        assertThat(e.reason()).isEqualTo(RefusalReason.ABAC_MAX_SESSIONS);
                        return null;
                    }
                }));
            }
            go.countDown();
            List<JoinGrant> admitted = new ArrayList<>();
            for (Future<JoinGrant> r : results) {
                JoinGrant g = r.get(30, TimeUnit.SECONDS);
                if (g != null) admitted.add(g);
            }
            assertThat(admitted).hasSize(1);
            assertThat(f.admission.liveSessions(PROJECT, "user-7f3a9c")).isEqualTo(1);
            // the slot comes back when the session ends
            JoinGrant g = admitted.getFirst();
            f.admission.ended(PROJECT, g.identity(), g.jti());
            assertThat(f.admission.liveSessions(PROJECT, "user-7f3a9c")).isZero();
            assertThat(f.admission.admit(tokens.getLast(), ROOM, SOURCE)).isNotNull();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneTokenHoldsOneLiveSessionAtATime() {
        String token = f.es256(f.claims());
        JoinGrant first = f.admission.admit(token, ROOM, SOURCE);
        assertRefused(f, token, ROOM, RefusalReason.TOKEN_IN_USE);
        // the identity itself has no limit: another token of the same subject joins
        JoinGrant other = f.admission.admit(f.es256(f.claims()), ROOM, SOURCE);
        assertThat(f.admission.liveSessions(PROJECT, first.identity())).isEqualTo(2);
        f.admission.ended(PROJECT, first.identity(), first.jti());
        assertThat(f.admission.admit(token, ROOM, SOURCE).jti()).as("reconnect after the session ended")
                .isEqualTo(first.jti());
        f.admission.ended(PROJECT, other.identity(), other.jti());
    }

    // ---- finding 8: a token can only carry a room id the mint API would accept; no room is auto-created

    @Test
    void nonCanonicalRoomIdsInASignedTokenAreRefusedAndCreateNoRoom() {
        f.store.updateProject(f.store.project(PROJECT).orElseThrow().withAutoCreateRooms(true));
        for (String room : List.of("cafe\u0301", "abc\u202Edef", "room\u200Ba", "\uFEFFroom", "room\u2028a",
                "room\u0000a", "   ", "room\u2029x", "r\u00ADoom")) {
            String token = f.es256(f.claims().put("room", room));
            assertRefused(f, token, room, RefusalReason.INVALID_CLAIM);
            assertThat(f.store.room(PROJECT, room)).isEmpty();
        }
    }

    // ---- finding 9: look-alike characters do not hide an e-mail address or a phone number

    @Test
    void piiGuardNormalisesFullwidthAndOtherScriptDigitsBeforeChecking() {
        List<String> disguised = List.of("alice\uFF20example.com", "alice\uFE6Bexample.com",
                "\uFF0B\uFF14\uFF14 \uFF12\uFF10 \uFF17\uFF19\uFF14\uFF16 \uFF10\uFF19\uFF15\uFF18",
                "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
                "+\u0664\u0664 \u0662\u0660 \u0667\u0669\u0664\u0666 \u0660\u0669\u0665\u0668",
                "\u096E\u096E\u096E\u096E\u096E\u096E\u096E\u096E\u096E\u096E");
        for (String identity : disguised) {
            assertThat(PiiGuard.looksLikePii(identity)).as(identity).isNotNull();
            assertRefused(f, f.es256(f.claims().put("sub", identity)), ROOM, RefusalReason.PII_IDENTITY);
            assertThatThrownBy(() -> f.issuer.mint(f.acmeApi(), MintRequest.of(ROOM, identity,
                    EnumSet.of(Scope.ROOM_JOIN), Duration.ofMinutes(5)), SOURCE))
                    .isInstanceOfSatisfying(ServiceException.class,
                            e -> assertThat(e.error()).isEqualTo(ServiceError.INVALID_REQUEST));
        }
        assertThat(PiiGuard.looksLikePii("user-\uFF11\uFF12\uFF13")).as("short ids stay allowed").isNull();
    }
}
