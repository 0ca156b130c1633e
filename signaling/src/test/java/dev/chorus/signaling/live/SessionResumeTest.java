package dev.chorus.signaling.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.live.LiveHarness.Peer;
import dev.chorus.signaling.testing.ControlFixture;
import dev.chorus.signaling.ws.WsCloseCodes;
import dev.chorus.signaling.ws.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session resume (docs/protocol.md, "Session resume") on the server as it is wired, with real tokens, the real SFU
 * and Java WebRTC peers: a participant whose WebSocket drops comes back on a new one with its single-use credential
 * and a valid token, keeping its participant id, its subscription and its media; the others are never told it left.
 * A used, expired or ended credential, a wrong room, another identity's token and a revoked token are refused with
 * 4011 and a reason, each attempt audited as {@code session.resume}.
 */
class SessionResumeTest {
    static final long VIDEO_SSRC = 0x5E55_1001L;
    LiveHarness h;
    int seq = 1;

    @AfterEach
    void close() {
        if (h != null) h.close();
    }

    Peer publisher() throws Exception {
        Peer p = h.join(h.fx.es256(h.claims("pub-1", "room:join media:publish:video media:subscribe")));
        p.publishVideo(VIDEO_SSRC);
        return p;
    }

    /** A subscriber allowed to receive the publisher, and the token it joined with. */
    record Sub(Peer peer, String token, JsonNode joined) {}

    Sub subscriber(String identity) throws Exception {
        var c = h.claims(identity, "room:join media:subscribe");
        c.set("policy", LiveHarness.policy(List.of("sub:pub-1"), List.of()));
        String token = h.fx.es256(c);
        Peer p = h.new Peer(WsTestClient.connect(h.tls.clientContext, h.port).join(ControlFixture.ROOM, token));
        h.closeables.add(p);
        JsonNode joined = p.await("joined");
        p.acceptOffer();
        return new Sub(p, token, joined);
    }

    void send(Peer pub, Peer to, int count) throws Exception {
        int base = to.received();
        for (int i = 0; i < count; i++) {
            pub.publisher.sendRtp(LiveHarness.rtp(96, seq, seq * 3000L, VIDEO_SSRC, "v", 200));
            seq++;
        }
        LiveHarness.await(() -> to.received() >= base + count * 9 / 10, "subscriber got " + count);
    }

    /** The network drops the subscriber's connection (no close frame, no leave); waits until the server parked it. */
    void drop(Sub sub) throws InterruptedException {
        sub.peer().ws.ws.abort();
        LiveHarness.await(() -> h.edge.sessions().get(sub.peer().participantId).map(s -> s.detached()).orElse(false),
                "session parked");
    }

    static String resume(String credential, String token, String room) {
        return LiveHarness.JSON.createObjectNode().put("type", "resume").put("room", room).put("token", token)
                .put("credential", credential).toString();
    }

    /** Opens a new connection and sends a resume; returns the client (its first message or close tells the verdict). */
    WsTestClient tryResume(String credential, String token, String room) {
        WsTestClient c = WsTestClient.connect(h.tls.clientContext, h.port);
        c.send(resume(credential, token, room));
        return c;
    }

    static void assertRefused(WsTestClient c, String reason) {
        WsTestClient.Closed closed = c.awaitClose(10);
        assertThat(closed.code()).as("close of a refused resume").isEqualTo(WsCloseCodes.RESUME_REFUSED);
        assertThat(closed.reason()).isEqualTo(reason);
        c.close();
    }

    List<String> resumeAudit() {
        return h.fx.auditLines().stream().filter(l -> l.contains("\"action\":\"session.resume\"")).toList();
    }

    @Test
    void aDroppedParticipantResumesWithItsIdItsSubscriptionAndItsMediaAndTheCredentialIsSingleUse() throws Exception {
        h = new LiveHarness(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(20));
        Peer pub = publisher();
        Sub sub = subscriber("sub-1");
        String credential = sub.joined().at("/resume/credential").asText();
        assertThat(credential).hasSizeGreaterThanOrEqualTo(43); // 256 bits, base64url
        assertThat(sub.joined().at("/resume/grace").asDouble()).isEqualTo(20.0);
        send(pub, sub.peer(), 100);

        drop(sub);
        send(pub, sub.peer(), 100); // media goes on while the signaling connection is down

        sub.peer().ws = tryResume(credential, sub.token(), ControlFixture.ROOM);
        JsonNode resumed = sub.peer().await("resumed");
        assertThat(resumed.get("participantId").asText()).isEqualTo(sub.peer().participantId);
        String next = resumed.at("/resume/credential").asText();
        assertThat(next).isNotEqualTo(credential).hasSizeGreaterThanOrEqualTo(43);
        send(pub, sub.peer(), 100); // same subscribe transport, same subscription: no new offer was needed
        sub.peer().ws.send("{\"type\":\"ping\"}");
        sub.peer().await("pong");

        // single use: the old credential is refused, and the session it named is untouched
        assertRefused(tryResume(credential, sub.token(), ControlFixture.ROOM), "credential_used");
        assertThat(sub.peer().ws.isClosed()).isFalse();
        // the publisher never saw it leave or join again
        Thread.sleep(300);
        pub.ws.send("{\"type\":\"ping\"}");
        pub.await("pong");
        assertThat(pub.seen).noneMatch(n -> n.path("type").asText().equals("participantLeft"));
        assertThat(pub.seen.stream().filter(n -> n.path("type").asText().equals("participantJoined")))
                .as("only the first join was announced").hasSize(1);

        List<String> audit = resumeAudit();
        assertThat(audit).hasSize(2);
        assertThat(audit.get(0)).contains("\"outcome\":\"success\"").contains(sub.peer().participantId);
        assertThat(audit.get(1)).contains("\"outcome\":\"refused\"").contains("credential_used");
        assertThat(String.join("\n", h.fx.auditLines())).doesNotContain(credential).doesNotContain(next);
        assertThat(AuditVerifier.verify(h.fx.audit.file()).intact()).isTrue();
    }

    @Test
    void wrongRoomAnotherIdentityARevokedTokenAndAnUnknownCredentialAreRefusedAndTheCredentialStillWorks()
            throws Exception {
        h = new LiveHarness(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(20));
        Peer pub = publisher();
        Sub sub = subscriber("sub-2");
        String credential = sub.joined().at("/resume/credential").asText();
        drop(sub);

        assertRefused(tryResume("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sub.token(), ControlFixture.ROOM),
                "unknown_credential");
        assertRefused(tryResume(credential, sub.token(), "room-b"), "resume_mismatch");
        String otherIdentity = h.fx.es256(h.claims("someone-else", "room:join media:subscribe"));
        assertRefused(tryResume(credential, otherIdentity, ControlFixture.ROOM), "resume_mismatch");
        // a fresh token of the same identity, revoked before it is used: revocation wins over the credential
        var fresh = h.claims("sub-2", "room:join media:subscribe");
        String freshToken = h.fx.es256(fresh);
        assertThat(h.post("/v1/revocations/tokens", "{\"jti\":\"" + fresh.get("jti").asText() + "\"}").statusCode())
                .isEqualTo(200);
        assertRefused(tryResume(credential, freshToken, ControlFixture.ROOM), "token_refused");

        List<String> audit = resumeAudit();
        assertThat(audit).hasSize(4).allMatch(l -> l.contains("\"outcome\":\"refused\""));
        assertThat(audit.get(0)).contains("unknown_credential");
        assertThat(audit.get(1)).contains("resume_mismatch");
        assertThat(audit.get(2)).contains("refresh_mismatch"); // the gate's precise reason: another identity
        assertThat(audit.get(3)).contains("token_revoked");

        // none of the refusals spent the credential: the owner resumes with its own token
        sub.peer().ws = tryResume(credential, sub.token(), ControlFixture.ROOM);
        assertThat(sub.peer().await("resumed").get("participantId").asText()).isEqualTo(sub.peer().participantId);
        assertThat(pub.seen).noneMatch(n -> n.path("type").asText().equals("participantLeft"));
    }

    @Test
    void pastTheGraceWindowTheParticipantLeavesWithReasonTimeoutAndTheCredentialIsExpired() throws Exception {
        h = new LiveHarness(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1));
        Peer pub = publisher();
        Sub sub = subscriber("sub-3");
        String credential = sub.joined().at("/resume/credential").asText();
        long dropped = System.nanoTime();
        sub.peer().ws.ws.abort();
        JsonNode left = pub.awaitWithin("participantLeft", 10_000);
        double seconds = (System.nanoTime() - dropped) / 1e9;
        assertThat(left.get("participantId").asText()).isEqualTo(sub.peer().participantId);
        assertThat(seconds).as("left after the 1 s window, not at once").isGreaterThanOrEqualTo(0.9);
        assertThat(h.edge.sessions().get(sub.peer().participantId)).isEmpty();
        assertRefused(tryResume(credential, sub.token(), ControlFixture.ROOM), "resume_expired");
        assertThat(h.fx.auditLines()).anyMatch(l -> l.contains("resume_timeout"));
        assertThat(resumeAudit()).singleElement().asString().contains("resume_expired");
    }

    @Test
    void aRevocationWhileParkedEndsTheSessionAndItsCredential() throws Exception {
        h = new LiveHarness(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(20));
        Peer pub = publisher();
        Sub sub = subscriber("sub-4");
        String credential = sub.joined().at("/resume/credential").asText();
        drop(sub);
        assertThat(h.post("/v1/revocations/subjects", "{\"subject\":\"sub-4\"}").statusCode()).isEqualTo(200);
        assertThat(pub.await("participantLeft").get("participantId").asText()).isEqualTo(sub.peer().participantId);
        assertThat(h.edge.sessions().get(sub.peer().participantId)).isEmpty();
        assertRefused(tryResume(credential, sub.token(), ControlFixture.ROOM), "session_ended");
    }

    @Test
    void aLeaveIsNotParked() throws Exception {
        h = new LiveHarness(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(20));
        Peer pub = publisher();
        Sub sub = subscriber("sub-5");
        String credential = sub.joined().at("/resume/credential").asText();
        sub.peer().ws.send("{\"type\":\"leave\"}");
        assertThat(pub.await("participantLeft").get("participantId").asText()).isEqualTo(sub.peer().participantId);
        assertRefused(tryResume(credential, sub.token(), ControlFixture.ROOM), "session_ended");
    }
}
