package dev.chorus.signaling.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.media.sfu.SfuCounters;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.media.transport.WebRtcTestClient;
import dev.chorus.signaling.live.LiveHarness.Peer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subscriber offer versions over the real WebSocket, SFU and media transport (docs/protocol.md,
 * {@code subscriberOffer} / {@code subscriberAnswer}): the race the 30-minute soak found. A subscriber's transport
 * closes while an offer is outstanding; the server withdraws it and sends the next offer at once; the client's answer
 * to the withdrawn offer arrives after that re-offer. Without versions it was checked against the re-offer and
 * refused ({@code negotiation_failed: answer lacks mid 2}), which withdrew the re-offer too; with the version it names
 * it is ignored, and the answer to the re-offer settles the call in one round without any error.
 */
@ExtendWith(NettyLeakGuard.class)
class SubscriberOfferRaceTest {
    static final long A_VIDEO = 0x0FF0_0001L;
    static final long B_VIDEO = 0x0FF0_0002L;
    static final long C_VIDEO = 0x0FF0_0003L;
    LiveHarness h;
    int seq = 1;

    @BeforeEach
    void start() throws Exception {
        h = new LiveHarness();
    }

    @AfterEach
    void close() {
        h.close();
    }

    Peer publisher(String identity, long ssrc) throws Exception {
        Peer p = h.join(h.fx.es256(h.claims(identity, "room:join media:publish:video")));
        p.publishVideo(ssrc);
        return p;
    }

    Peer subscriber() throws Exception {
        var c = h.claims("sub-1", "room:join media:subscribe");
        c.set("policy", LiveHarness.policy(List.of("sub:pub-a", "sub:pub-b", "sub:pub-c"), List.of()));
        return h.join(h.fx.es256(c));
    }

    static String answer(JsonNode offer, String sdp, boolean withVersion) {
        ObjectNode m = LiveHarness.JSON.createObjectNode().put("type", "subscriberAnswer").put("sdp", sdp);
        if (withVersion) m.put("version", offer.get("version").asLong());
        return m.toString();
    }

    /** One packet of {@code pub}'s video reaches {@code sub} (sent until one arrives, at most 50). */
    void receives(Peer pub, long ssrc, Peer sub) throws Exception {
        sub.subscriber.clearRtpBacklog();
        byte[] got = null;
        for (int i = 0; i < 50 && got == null; i++, seq++) {
            pub.publisher.sendRtp(LiveHarness.rtp(96, seq, seq * 3000L, ssrc, "v", 100));
            got = sub.subscriber.receiveRtp(200);
        }
        assertThat(got).as("a packet of %08x forwarded", ssrc).isNotNull();
    }

    /** Every message {@code p} got until a pong, which follows everything the server sent before it. */
    static List<JsonNode> settle(Peer p) throws Exception {
        p.ws.send("{\"type\":\"ping\"}");
        p.await("pong");
        return p.seen;
    }

    static List<String> types(List<JsonNode> seen, String type) {
        return seen.stream().filter(n -> type.equals(n.path("type").asText())).map(JsonNode::toString).toList();
    }

    /**
     * The subscriber's second offer (pub-a, pub-b) is outstanding and pub-c's track waits for its answer; the answer
     * is prepared, then the subscribe transport closes (DTLS close_notify) and the re-offer arrives: the answer to the
     * withdrawn offer is now "on its way". Returns {withdrawn offer, its answer's SDP, re-offer}.
     */
    Object[] raceSetUp(Peer sub) throws Exception {
        Peer b = publisher("pub-b", B_VIDEO);
        JsonNode second = sub.await("subscriberOffer");
        assertThat(second.get("tracks")).hasSize(2);
        publisher("pub-c", C_VIDEO);
        String answerToSecond = sub.subscriber.answer(second.get("sdp").asText(), false);
        sub.subscriber.closeDtls();
        assertThat(sub.await("transportClosed").get("role").asText()).isEqualTo("subscribe");
        JsonNode third = sub.await("subscriberOffer");
        assertThat(third.get("tracks")).as("the re-offer has the waiting track too").hasSize(3);
        return new Object[] {second, answerToSecond, third, b};
    }

    @Test
    void theAnswerToAnOfferWithdrawnWhenTheTransportClosedIsIgnoredAndTheCallSettlesInOneRefusalFreeRound()
            throws Exception {
        Peer a = publisher("pub-a", A_VIDEO);
        Peer sub = subscriber();
        JsonNode first = sub.acceptOffer();
        assertThat(first.get("version").asLong()).isEqualTo(1);
        receives(a, A_VIDEO, sub);

        Object[] race = raceSetUp(sub);
        JsonNode second = (JsonNode) race[0];
        JsonNode third = (JsonNode) race[2];
        assertThat(second.get("version").asLong()).isEqualTo(2);
        assertThat(third.get("version").asLong()).isEqualTo(3);

        sub.ws.send(answer(second, (String) race[1], true)); // the answer that was on its way
        sub.subscriber.close();
        sub.subscriber = new WebRtcTestClient(h.media.localAddress());
        String thirdSdp = third.get("sdp").asText();
        sub.ws.send(answer(third, sub.subscriber.answer(thirdSdp, false), true));
        sub.subscriber.connect(thirdSdp);
        assertThat(sub.await("transportConnected").get("role").asText()).isEqualTo("subscribe");
        receives(a, A_VIDEO, sub);
        receives((Peer) race[3], B_VIDEO, sub);

        List<JsonNode> seen = settle(sub);
        assertThat(types(seen, "error")).as("no refusal, no negotiation_failed").isEmpty();
        assertThat(types(seen, "subscriberOffer")).as("one round: no offer after the re-offer").hasSize(3);
        assertThat(h.sfu.sum(SfuCounters::staleSubscriberAnswers)).as("the stale answer counted").isEqualTo(1);
    }

    /**
     * What the version fixes: a client that sends none (as before) gets its answer to the withdrawn offer checked
     * against the re-offer, refused with {@code negotiation_failed}, and another offer. Still accepted otherwise.
     */
    @Test
    void withoutAVersionTheAnswerToTheWithdrawnOfferIsRefusedAsBefore() throws Exception {
        publisher("pub-a", A_VIDEO);
        Peer sub = subscriber();
        sub.acceptOffer(); // unversioned, as older clients answer: accepted
        Object[] race = raceSetUp(sub);

        sub.ws.send(answer((JsonNode) race[0], (String) race[1], false));
        JsonNode error = sub.await("error");
        assertThat(error.get("code").asText()).isEqualTo("negotiation_failed");
        assertThat(error.get("message").asText()).contains("answer lacks mid 2");
        assertThat(sub.await("subscriberOffer").get("version").asLong()).as("withdrawn and offered again").isEqualTo(4);
    }

    @Test
    void aVersionNeverSentIsRefusedWithItsReasonAndAMalformedOneIsABadMessage() throws Exception {
        Peer a = publisher("pub-a", A_VIDEO);
        Peer sub = subscriber();
        JsonNode offer = sub.await("subscriberOffer");
        sub.subscriber = new WebRtcTestClient(h.media.localAddress());
        String sdp = sub.subscriber.answer(offer.get("sdp").asText(), false);

        ObjectNode future = LiveHarness.JSON.createObjectNode().put("type", "subscriberAnswer").put("sdp", sdp)
                .put("version", 9);
        sub.ws.send(future.toString());
        JsonNode refused = sub.await("error");
        assertThat(refused.get("code").asText()).isEqualTo("unknown_offer_version");
        assertThat(refused.get("message").asText()).contains("version 9, which was never sent (the last one is 1)");

        for (String bad : List.of("0", "-3", "1.5", "\"1\"", "9007199254740992")) {
            sub.ws.send("{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\",\"version\":" + bad + "}");
            assertThat(sub.await("error").get("code").asText()).as("version %s", bad).isEqualTo("bad_message");
        }

        // nothing was withdrawn: the right answer to the outstanding offer still applies, without a new offer
        sub.ws.send(answer(offer, sdp, true));
        sub.subscriber.connect(offer.get("sdp").asText());
        assertThat(sub.await("transportConnected").get("role").asText()).isEqualTo("subscribe");
        receives(a, A_VIDEO, sub);
        assertThat(types(settle(sub), "subscriberOffer")).hasSize(1);
    }
}
