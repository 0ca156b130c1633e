package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.ChromiumHarness;
import dev.chorus.media.transport.NettyLeakGuard;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live authorization with real Chromium and the real SDK against the real server (dev mode, loopback): token refresh
 * during a call, expiry without refresh, key revocation and an ACL revocation taking media away within 1 s. Tokens are
 * minted by the page through the real backend API ({@code POST /v1/tokens}, Basic auth with a project API key), so
 * TTLs can be short and a test can choose which key signs. Times are measured in the page with one clock
 * ({@code performance.now()}): from just before the API request to the last frame the other browser decoded.
 */
@ExtendWith(NettyLeakGuard.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveAuthBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static BrowserCallFixture fixture;
    static ChorusServer server;
    static ChromiumHarness chromium;
    static String devAuth;

    static final String HELPERS = """
            if (!window.L) {
              const { Chorus } = await import('/sdk/chorus.js');
              window.L = { clients: {}, Chorus };
              L.api = async (auth, method, path, body) => {
                const r = await fetch(path, { method, headers: { 'Authorization': auth, 'Content-Type': 'application/json' },
                                             body: body === undefined ? undefined : JSON.stringify(body) });
                const text = await r.text();
                if (!r.ok) throw new Error(method + ' ' + path + ': ' + r.status + ' ' + text);
                return JSON.parse(text);
              };
              L.mint = async (auth, room, identity, ttlSeconds) => (await L.api(auth, 'POST', '/v1/tokens', { room, identity,
                  scopes: ['room:join', 'media:publish:audio', 'media:publish:video', 'media:subscribe'], ttlSeconds })).token;
              L.join = async (name, room, token, publish, warning) => {
                const rec = { events: [], closed: null };
                L.clients[name] = rec;
                const c = await Chorus.connect({ token, room, tokenExpiryWarning: warning || 60 });
                rec.c = c;
                c.on('tokenExpiring', d => rec.events.push('tokenExpiring'));
                c.on('refreshed', d => rec.events.push('refreshed'));
                c.on('permissionsChanged', d => rec.events.push('permissionsChanged ' + d.reason));
                c.on('trackUnpublished', d => rec.events.push('trackUnpublished ' + d.reason));
                c.on('closed', d => { rec.closed = { code: d.code, reason: d.reason, error: d.error && d.error.code };
                                      rec.events.push('closed ' + d.code); });
                if (publish) await c.publish({ audio: true, video: true });
                return c.participantId;
              };
              L.frames = async (name, from) => {
                const st = await L.clients[name].c.stats();
                let f = 0;
                for (const s of st.inbound) if (s.kind === 'video' && s.participantId === from) f += s.framesDecoded;
                return f;
              };
              // polls decoded frames of `from` at `name` every 10 ms for `ms`; returns the time of the last increase.
              // Counted by the receiving transceivers' mids (raw getStats), so frames still count after the SDK has
              // dropped the track's attribution on trackUnpublished.
              L.lastFrameAfter = async (name, from, t0, ms) => {
                const c = L.clients[name].c;
                const mids = new Set((await c.stats()).inbound
                    .filter(s => s.kind === 'video' && s.participantId === from).map(s => s.mid));
                const byMid = async () => {
                  let f = 0;
                  (await c.subscriber.getStats()).forEach(s => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video' && mids.has(s.mid)) f += s.framesDecoded;
                  });
                  return f;
                };
                let last = await byMid(), lastAt = t0;
                const end = performance.now() + ms;
                while (performance.now() < end) {
                  await new Promise(r => setTimeout(r, 10));
                  const f = await byMid();
                  if (f > last) { last = f; lastAt = performance.now(); }
                }
                return mids.size === 0 ? -1 : lastAt - t0;
              };
            }
            """;

    @BeforeAll
    static void start() throws Exception {
        fixture = BrowserCallFixture.start("chorus-liveauth-", Map.of(
                "CHORUS_WS_TOKEN_EXPIRY_WARNING", "3s",
                "CHORUS_WS_TOKEN_EXPIRY_GRACE", "1s"), HELPERS);
        server = fixture.server;
        chromium = fixture.chromium;
        String kid = server.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID).stream()
                .filter(k -> k.algorithm() == KeyAlgorithm.HS256).map(ProjectKey::kid).findFirst().orElseThrow();
        String secret = Files.readString(server.dataDir().resolve(DevProjectBootstrap.API_SECRET_FILE)).trim();
        devAuth = basic(kid, secret);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) fixture.close();
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String join(String name, String room, String auth, int ttl, boolean publish, int warning) {
        Object id = chromium.async(HELPERS + "return await L.join(args[0], args[1], "
                + "await L.mint(args[2], args[1], args[0], args[3]), args[4], args[5]);",
                name, room, auth, ttl, publish, warning);
        assertThat(String.valueOf(id)).as("join of " + name).startsWith("p_");
        return (String) id;
    }

    static long frames(String name, String from) {
        return ((Number) chromium.async("return await L.frames(args[0], args[1]);", name, from)).longValue();
    }

    static void awaitFrames(String name, String from) throws InterruptedException {
        assertThat(ChromiumHarness.await(() -> frames(name, from) > 0, 25)).as(name + " decodes " + from).isTrue();
    }

    /** Frames from {@code from} keep growing at {@code name} over the next seconds. */
    static void assertStillReceiving(String name, String from) throws InterruptedException {
        long a = frames(name, from);
        assertThat(ChromiumHarness.await(() -> frames(name, from) > a + 5, 10)).as(name + " keeps receiving " + from)
                .isTrue();
    }

    static JsonNode closed(String name) throws Exception {
        Object c = chromium.eval("return JSON.stringify(L.clients[arguments[0]].closed);", name);
        return JSON.readTree(String.valueOf(c));
    }

    static String events(String name) {
        return String.valueOf(chromium.eval("return L.clients[arguments[0]].events.join(', ');", name));
    }

    static void leave(String... names) {
        for (String n : names) chromium.eval("L.clients[arguments[0]].c.leave();", n);
    }

    /** Must-show 1: 6-second tokens, refreshed three times on the SDK's tokenExpiring while video keeps flowing. */
    @Test
    void aTokenRefreshedThreeTimesDuringACallKeepsMediaFlowing() throws Exception {
        String pub = join("r-pub", "live-refresh", devAuth, 600, true, 60);
        join("r-sub", "live-refresh", devAuth, 6, false, 3);
        awaitFrames("r-sub", pub);
        chromium.eval("""
                const rec = L.clients['r-sub'];
                rec.refreshes = 0;
                rec.c.on('tokenExpiring', async () => {
                  const t = await L.mint(arguments[0], 'live-refresh', 'r-sub', 6);
                  await rec.c.refreshToken(t);
                  rec.refreshes++;
                });""", devAuth);
        assertThat(ChromiumHarness.await(() -> ((Number) chromium.eval("return L.clients['r-sub'].refreshes;"))
                .intValue() >= 3, 25)).as("three refreshes; events " + events("r-sub")).isTrue();
        assertThat(closed("r-sub").isNull()).as("session still open; events " + events("r-sub")).isTrue();
        assertStillReceiving("r-sub", pub);
        leave("r-pub", "r-sub");
    }

    /** Must-show 2: a token that expires without refresh: disconnected with 4005 and told why. */
    @Test
    void aParticipantWhoseTokenExpiresWithoutRefreshIsDisconnectedAndToldWhy() throws Exception {
        String pub = join("e-pub", "live-expiry", devAuth, 600, true, 60);
        join("e-sub", "live-expiry", devAuth, 4, false, 2);
        awaitFrames("e-sub", pub);
        assertThat(ChromiumHarness.await(() -> {
            try {
                return !closed("e-sub").isNull();
            } catch (Exception e) {
                return false;
            }
        }, 15)).as("closed; events " + events("e-sub")).isTrue();
        JsonNode c = closed("e-sub");
        assertThat(c.get("code").asInt()).isEqualTo(4005);
        assertThat(c.get("reason").asText()).isEqualTo("token expired");
        assertThat(c.get("error").asText()).isEqualTo("token_expired");
        assertThat(events("e-sub")).contains("tokenExpiring");
        assertThat(Files.readString(server.dataDir().resolve("audit.log"))).contains("\"reason\":\"token_expired\"");
        leave("e-pub");
    }

    /** Must-show 3: revoking the key that signed the publisher's token stops its video at the viewer within 1 s. */
    @Test
    void revokingTheSigningKeyStopsTheParticipantsMediaAtTheOtherBrowserWithinOneSecond() throws Exception {
        JsonNode key = JSON.readTree(String.valueOf(chromium.async(
                "return JSON.stringify(await L.api(args[0], 'POST', '/v1/keys', { algorithm: 'HS256', scopes: ['tokens:mint'] }));", devAuth)));
        String kid = key.path("key").path("kid").asText();
        String keyAuth = basic(kid, key.path("secret").asText());
        String pub = join("k-pub", "live-key", keyAuth, 600, true, 60);
        join("k-view", "live-key", devAuth, 600, false, 60);
        awaitFrames("k-view", pub);
        assertStillReceiving("k-view", pub);
        Number ms = (Number) chromium.async("""
                const t0 = performance.now();
                const wait = L.lastFrameAfter('k-view', args[1], t0, 3000);
                await L.api(args[0], 'POST', '/v1/keys/' + args[2] + '/revoke', {});
                return await wait;""", devAuth, pub, kid);
        System.out.println("key revocation: ms from the API call to the last frame decoded at the viewer: " + ms);
        assertThat(ms.doubleValue()).as("last frame after revocation (ms)").isBetween(0.0, 1000.0);
        JsonNode c = closed("k-pub");
        assertThat(c.get("code").asInt()).isEqualTo(4004);
        assertThat(c.get("reason").asText()).isEqualTo("key revoked");
        leave("k-view");
    }

    /** Must-show 4: an ACL revoke stops one subscriber's video within 1 s while a second keeps receiving. */
    @Test
    void anAclRevokeStopsOneSubscribersVideoWithinOneSecondWhileTheOtherKeepsReceiving() throws Exception {
        String pub = join("a-pub", "live-acl", devAuth, 600, true, 60);
        join("a-one", "live-acl", devAuth, 600, false, 60);
        join("a-two", "live-acl", devAuth, 600, false, 60);
        awaitFrames("a-one", pub);
        awaitFrames("a-two", pub);
        Number ms = (Number) chromium.async("""
                const t0 = performance.now();
                const wait = L.lastFrameAfter('a-one', args[1], t0, 3000);
                await L.api(args[0], 'POST', '/v1/acl/revocations', { subscriber: 'a-one', publisher: 'a-pub', kind: 'video' });
                const control = L.lastFrameAfter('a-two', args[1], t0, 3000);
                const r = await wait;
                L.controlMs = await control;
                return r;""", devAuth, pub);
        Number controlMs = (Number) chromium.eval("return L.controlMs;");
        System.out.println("ACL revocation: ms from the API call to the last frame decoded by the revoked subscriber: "
                + ms + " (the other subscriber's last frame in the same 3 s window: " + controlMs + " ms)");
        // the probe sees frames when they flow: the other subscriber's last frame is near the window's end
        assertThat(controlMs.doubleValue()).isGreaterThan(2500);
        assertThat(ms.doubleValue()).as("last frame after the ACL revoke (ms)").isBetween(0.0, 1000.0);
        assertThat(events("a-one")).contains("permissionsChanged acl", "trackUnpublished subscribe_rights_revoked");
        assertStillReceiving("a-two", pub);
        assertThat(closed("a-one").isNull()).isTrue(); // the session itself goes on
        leave("a-pub", "a-one", "a-two");
    }
}
