package dev.chorus.turn.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TURN REST API usernames and passwords (SECURITY-CHECKLIST 44, 45 at the credential level). */
class RestCredentialsTest {
    static final String S1 = "first-secret-0123456789";
    static final String S2 = "second-secret-0123456789";

    @Test
    void wellFormedUsernameYieldsItsExpiry() {
        assertThat(RestUsername.expiry("1700000000:abc-DEF_1.~")).isEqualTo(1_700_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "abc", "1700000000", "1700000000:", ":user", "-1700000000:u", "+1700000000:u",
            "17000x0000:u", "1700000000:a:b", "1700000000::b", "0x1700:u", " 1700000000:u", "1700000000:u ",
            "1700000000:ü", "1700000000:a/b", "9999999999999999999999:u", "1700000000000:u",
            "1700000000:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "１７００:u"})
    void malformedUsernamesAreRefused(String username) {
        assertThat(RestUsername.expiry(username)).isEqualTo(RestUsername.MALFORMED);
    }

    @Test
    void passwordIsBase64OfHmacSha1OfTheUsername() {
        // echo -n '1700000000:alice' | openssl dgst -sha1 -hmac 'first-secret-0123456789' -binary | base64
        String expected = "UhcIGYOxqCQ7jXMkkUnYF8kgSH8=";
        assertThat(SecretRing.password(S1.getBytes(), "1700000000:alice")).isEqualTo(expected);
    }

    @Test
    void rotationAcceptsEverySecretAndRetiredOnesStopWorking() {
        SecretRing ring = new SecretRing(List.of(S2, S1));
        String oldPwd = SecretRing.password(S1.getBytes(), "1:u");
        assertThat(ring.candidatePasswords("1:u")).contains(oldPwd);
        ring.replace(List.of(S2));
        assertThat(ring.candidatePasswords("1:u")).doesNotContain(oldPwd);
        assertThat(ring.toString()).doesNotContain(S2);
    }

    @Test
    void issuerCapsExpiryAtTokenExpiryAndTenMinutes() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        SecretRing ring = new SecretRing(List.of(S1));
        var issuer = new TurnCredentialIssuer(ring, Duration.ofHours(5), List.of("turn:127.0.0.1:3478"), clock);
        TurnCredential far = issuer.issue(now.plus(Duration.ofHours(1)));
        assertThat(far.expiresAtEpochSeconds()).isEqualTo(now.getEpochSecond() + 600);
        TurnCredential near = issuer.issue("sess1", now.plusSeconds(90));
        assertThat(near.username()).isEqualTo((now.getEpochSecond() + 90) + ":sess1");
        assertThat(RestUsername.expiry(near.username())).isEqualTo(now.getEpochSecond() + 90);
        assertThat(near.password()).isEqualTo(SecretRing.password(S1.getBytes(), near.username()));
        assertThat(near.toString()).doesNotContain(near.password());
        assertThatThrownBy(() -> issuer.issue("a:b", now.plusSeconds(60))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> issuer.issue(now.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shortSecretsAreRefused() {
        assertThatThrownBy(() -> new SecretRing(List.of("short"))).isInstanceOf(IllegalArgumentException.class);
    }
}
