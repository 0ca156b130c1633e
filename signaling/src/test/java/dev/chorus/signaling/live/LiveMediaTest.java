package dev.chorus.signaling.live;

import static dev.chorus.signaling.live.LiveHarness.policy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.live.LiveHarness.Peer;
import dev.chorus.signaling.ws.WsCloseCodes;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live authorization end to end on the real SFU (SECURITY-CHECKLIST 8, 9, 21, 22): peer policies and ACL grants
 * decide who receives a track, and every revocation kind stops forwarding to the affected participant while
 * everyone else keeps receiving. Media is real (ICE, DTLS, SRTP through the SFU's worker); counts are exact.
 */
@ExtendWith(NettyLeakGuard.class)
class LiveMediaTest {
    static final long VIDEO_SSRC = 0x5151_0001L;
    final LiveHarness h;
    int seq;

    LiveMediaTest() throws Exception {
        h = new LiveHarness();
    }

    @AfterEach
    void close() {
        h.close();
    }

    Peer publisher() throws Exception {
        var c = h.claims("pub-1", "room:join media:publish:video media:subscribe");
        c.putArray("grp").add("speakers");
        Peer p = h.join(h.fx.es256(c));
        p.publishVideo(VIDEO_SSRC);
        return p;
    }

    /** A subscriber whose token policy allows the publisher (the control receiver). */
    Peer allowedSubscriber(String identity) throws Exception {
        var c = h.claims(identity, "room:join media:subscribe");
        c.set("policy", policy(List.of("sub:pub-1"), List.of()));
        Peer p = h.join(h.fx.es256(c));
        p.acceptOffer();
        return p;
    }

    /** Sends {@code count} packets paced against {@code control}'s receipt, so UDP buffers never overflow. */
    void send(Peer pub, Peer control, int count) throws Exception {
        int base = control.received();
        for (int i = 0; i < count; i++) {
            pub.publisher.sendRtp(LiveHarness.rtp(96, seq, seq * 3000L, VIDEO_SSRC, "v", 200));
            seq++;
            if (i % 50 == 49) {
                int expected = base + i + 1;
                LiveHarness.await(() -> control.received() >= expected, "control got " + expected);
            }
        }
        int expected = base + count;
        LiveHarness.await(() -> control.received() >= expected, "control got " + expected);
    }

    @Test
    void peerPolicyDenyAndAclModeGiveZeroPacketsWhileGrantsAndAllowsReceiveAll() throws Exception {
        assertThat(h.post("/v1/acl/grants", "{\"subscriber\":\"granted-1\",\"publisher\":\"pub-1\",\"kind\":\"video\"}")
                .statusCode()).isEqualTo(200);
        Peer pub = publisher();
        Peer ctl = allowedSubscriber("ctl-1");
        var deniedClaims = h.claims("denied-1", "room:join media:subscribe");
        deniedClaims.set("policy", policy(List.of("grp:speakers"), List.of("sub:pub-1"))); // deny wins over allow
        Peer denied = h.join(h.fx.es256(deniedClaims));
        Peer nobody = h.join(h.fx.es256(h.claims("nobody-1", "room:join media:subscribe"))); // ACL mode, no grant
        Peer granted = h.join(h.fx.es256(h.claims("granted-1", "room:join media:subscribe")));
        JsonNode offer = granted.acceptOffer();
        assertThat(offer.get("tracks")).hasSize(1);

        send(pub, ctl, 1000);
        LiveHarness.await(() -> granted.received() >= 1000, "granted got 1000");
        assertThat(ctl.drain(300)).isEqualTo(1000);
        assertThat(granted.drain(300)).isEqualTo(1000);
        // the denied and the ungranted identity never got an offer, a track announcement or a transport
        assertThat(denied.subscriber).isNull();
        assertThat(nobody.subscriber).isNull();
        for (Peer p : List.of(denied, nobody)) {
            assertThat(p.seen).noneMatch(n -> n.path("type").asText().matches("subscriberOffer|trackPublished"));
            assertThat(p.seen.stream().filter(n -> n.path("type").asText().equals("joined")).findFirst().orElseThrow()
                    .get("participants").toString()).doesNotContain("\"kind\"");
        }

        // ACL revoke: the granted subscriber loses the track within 1 s, the control keeps receiving
        assertThat(h.post("/v1/acl/revocations", "{\"subscriber\":\"granted-1\",\"publisher\":\"pub-1\",\"kind\":\"video\"}")
                .statusCode()).isEqualTo(200);
        JsonNode unpublished = granted.awaitWithin("trackUnpublished", 1000);
        assertThat(unpublished.path("reason").asText()).isEqualTo("subscribe_rights_revoked");
        assertThat(granted.awaitWithin("permissionsChanged", 1000).path("reason").asText()).isEqualTo("acl");
        send(pub, ctl, 500);
        assertThat(ctl.drain(300)).isEqualTo(500);
        assertThat(granted.drain(300)).isZero();

        // a publisher-wide grant does not undo the more specific video revocation; a video grant does
        h.post("/v1/acl/grants", "{\"subscriber\":\"granted-1\",\"publisher\":\"pub-1\"}");
        granted.awaitWithin("permissionsChanged", 1000);
        assertThat(granted.seen).noneMatch(n -> n.path("type").asText().equals("trackPublished")
                && !n.has("_used") && n.toString().contains("pub")); // nothing re-announced
        h.post("/v1/acl/grants", "{\"subscriber\":\"granted-1\",\"publisher\":\"pub-1\",\"kind\":\"video\"}");
        granted.acceptOffer(); // the renegotiation that removed the track
        assertThat(granted.acceptOffer().get("tracks")).hasSize(1);
        assertThat(AuditVerifier.verify(h.fx.audit.file()).intact()).isTrue();
        assertThat(h.fx.auditLines()).anyMatch(l -> l.contains("\"action\":\"acl_revoked\""));
    }

    /** Revokes with {@code action}; the victim is closed with 4004 and gets no packet afterwards, ctl gets all. */
    void assertRevocationStopsMedia(Peer pub, Peer ctl, Peer victim, String what, ThrowingRunnable action,
                                    String closeReason) throws Exception {
        send(pub, ctl, 100);
        LiveHarness.await(() -> victim.received() >= 100, what + ": victim receives before");
        ctl.drain(200);
        victim.drain(200);
        action.run();
        var closed = victim.ws.awaitClose(1); // told within 1 s, with the reason
        assertThat(closed).as(what).isNotNull();
        assertThat(closed.code()).as(what).isEqualTo(WsCloseCodes.REVOKED);
        assertThat(closed.reason()).as(what).isEqualTo(closeReason);
        send(pub, ctl, 300);
        assertThat(ctl.drain(300)).as(what).isEqualTo(300);
        assertThat(victim.drain(300)).as(what + ": packets after revocation").isZero();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyRevocationKindStopsThatParticipantsMediaAndNobodyElses() throws Exception {
        Peer pub = publisher();
        Peer ctl = allowedSubscriber("ctl-1");

        var keyClaims = h.claims("sub-key", "room:join media:subscribe");
        keyClaims.set("policy", policy(List.of("sub:pub-1"), List.of()));
        Peer byKey = h.join(h.fx.eddsa(keyClaims)); // the only session admitted with the EdDSA key
        byKey.acceptOffer();
        assertRevocationStopsMedia(pub, ctl, byKey, "key", () -> assertThat(
                h.post("/v1/keys/" + h.fx.edKid + "/revoke", "{}").statusCode()).isEqualTo(200), "key revoked");

        var jtiClaims = h.claims("sub-jti", "room:join media:subscribe");
        jtiClaims.set("policy", policy(List.of("sub:pub-1"), List.of()));
        Peer byJti = h.join(h.fx.es256(jtiClaims));
        byJti.acceptOffer();
        String jti = jtiClaims.get("jti").asText();
        assertRevocationStopsMedia(pub, ctl, byJti, "jti", () -> assertThat(
                h.post("/v1/revocations/tokens", "{\"jti\":\"" + jti + "\"}").statusCode()).isEqualTo(200),
                "token revoked");

        Peer bySubject = allowedSubscriber("sub-subject");
        assertRevocationStopsMedia(pub, ctl, bySubject, "subject", () -> assertThat(
                h.post("/v1/revocations/subjects", "{\"subject\":\"sub-subject\"}").statusCode()).isEqualTo(200),
                "subject revoked");

        Peer removed = allowedSubscriber("sub-removed");
        assertRevocationStopsMedia(pub, ctl, removed, "removal", () -> assertThat(
                h.post("/v1/rooms/room-a/participants/" + removed.participantId + "/remove", "{}").statusCode())
                .isEqualTo(200), "removed");

        // a scope override takes media:subscribe away: the session stays, its tracks go, no packet reaches it
        Peer overridden = allowedSubscriber("sub-override");
        send(pub, ctl, 100);
        LiveHarness.await(() -> overridden.received() >= 100, "override victim receives before");
        ctl.drain(200);
        overridden.drain(200);
        assertThat(h.post("/v1/rooms/room-a/permissions",
                "{\"identity\":\"sub-override\",\"revoke\":[\"media:subscribe\"]}").statusCode()).isEqualTo(200);
        JsonNode changed = overridden.awaitWithin("permissionsChanged", 1000);
        assertThat(changed.get("rights").toString()).isEqualTo("[\"room:join\"]");
        assertThat(overridden.awaitWithin("trackUnpublished", 1000).path("reason").asText())
                .isEqualTo("subscribe_rights_revoked");
        send(pub, ctl, 300);
        assertThat(ctl.drain(300)).isEqualTo(300);
        assertThat(overridden.drain(300)).isZero();
        assertThat(overridden.ws.isClosed()).isFalse();
        // taking room:join away ends the session
        h.post("/v1/rooms/room-a/permissions", "{\"identity\":\"sub-override\",\"revoke\":[\"room:join\"]}");
        assertThat(overridden.ws.awaitClose(1).code()).isEqualTo(WsCloseCodes.REVOKED);

        // closing the room ends everyone's session and media
        assertThat(h.post("/v1/rooms/room-a/close", "{}").statusCode()).isEqualTo(200);
        for (Peer p : List.of(pub, ctl)) {
            var closed = p.ws.awaitClose(1);
            assertThat(closed.code()).isEqualTo(WsCloseCodes.REVOKED);
            assertThat(closed.reason()).isEqualTo("room closed");
        }
        LiveHarness.await(() -> h.sfu.openRooms() == 0, "media room closed");
        assertThat(AuditVerifier.verify(h.fx.audit.file()).intact()).isTrue();
    }

    @Test
    void takingAwayThePublishersVideoRightUnpublishesItsTrackForEveryone() throws Exception {
        Peer pub = publisher();
        Peer ctl = allowedSubscriber("ctl-1");
        Peer ctl2 = allowedSubscriber("ctl-2");
        send(pub, ctl, 200);
        LiveHarness.await(() -> ctl2.received() >= 200, "second subscriber receives before");
        ctl.drain(200);
        ctl2.drain(200);
        assertThat(h.post("/v1/rooms/room-a/permissions",
                "{\"identity\":\"pub-1\",\"revoke\":[\"media:publish:video\"]}").statusCode()).isEqualTo(200);
        assertThat(pub.awaitWithin("permissionsChanged", 1000).get("rights").toString())
                .doesNotContain("media:publish:video");
        for (Peer p : List.of(ctl, ctl2)) {
            assertThat(p.awaitWithin("trackUnpublished", 1000).path("reason").asText())
                    .isEqualTo("publish_rights_revoked");
        }
        for (int i = 0; i < 300; i++) {
            pub.publisher.sendRtp(LiveHarness.rtp(96, seq, seq * 3000L, VIDEO_SSRC, "v", 200));
            seq++;
        }
        assertThat(ctl.drain(500)).isZero();
        assertThat(ctl2.drain(300)).isZero();
        // restoring the scope lets the publisher publish again (its next publish is accepted)
        assertThat(h.post("/v1/rooms/room-a/permissions",
                "{\"identity\":\"pub-1\",\"restore\":[\"media:publish:video\"]}").statusCode()).isEqualTo(200);
        assertThat(pub.awaitWithin("permissionsChanged", 1000).get("rights").toString()).contains("media:publish:video");
        // issue 15: publishing and the forced unpublish are in the audit trail (identity only as a hash)
        LiveHarness.await(() -> h.fx.auditLines().stream().anyMatch(l -> l.contains("\"action\":\"media.unpublish\"")),
                "unpublish audited");
        List<String> media = h.fx.auditLines().stream().filter(l -> l.contains("\"action\":\"media.")).toList();
        assertThat(media).anySatisfy(l -> assertThat(l).contains("\"action\":\"media.publish\"", "\"kind\":\"video\""));
        assertThat(media).anySatisfy(l -> assertThat(l).contains("\"action\":\"media.unpublish\"",
                "\"reason\":\"publish_rights_revoked\""));
        assertThat(media).noneMatch(l -> l.contains("pub-1"));
        assertThat(AuditVerifier.verify(h.fx.audit.file()).intact()).isTrue();
    }

    @Test
    void muteAndUnmuteOfOnesOwnTrackAreAudited() throws Exception {
        Peer pub = publisher();
        for (int i = 0; i < 20; i++) {
            pub.publisher.sendRtp(LiveHarness.rtp(96, seq, seq * 3000L, VIDEO_SSRC, "v", 200));
            seq++;
        }
        String trackId = pub.awaitWithin("trackPublished", 5000).path("track").path("trackId").asText();
        pub.ws.send("{\"type\":\"mute\",\"trackId\":\"" + trackId + "\",\"muted\":true}");
        pub.awaitWithin("trackUpdated", 2000);
        pub.ws.send("{\"type\":\"mute\",\"trackId\":\"" + trackId + "\",\"muted\":false}");
        pub.awaitWithin("trackUpdated", 2000);
        LiveHarness.await(() -> h.fx.auditLines().stream().anyMatch(l -> l.contains("\"action\":\"media.unmute\"")),
                "unmute audited");
        assertThat(h.fx.auditLines()).anySatisfy(l -> assertThat(l).contains("\"action\":\"media.mute\"",
                "\"track\":\"" + trackId + "\""));
    }
}
