package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/** One key, one algorithm, one curve: what KeyMaterial accepts and what the pinned verifier checks. */
class KeyMaterialTest {

    @Test
    void ed25519AlgorithmSignsAndVerifiesAndRejectsOtherKeysAndTampering() {
        var pair = KeyMaterial.generateEd25519();
        var key = ProjectKey.active("k_ed", "acme", KeyAlgorithm.EDDSA, pair.getPublic().getEncoded(), Instant.now());
        var payload = new ObjectMapper().createObjectNode().put("x", 1);
        String token = JwtWriter.sign(JwtWriter.header("EdDSA", "k_ed", "t"), payload,
                Ed25519Algorithm.signing(pair.getPrivate()));
        assertThat(Ed25519Algorithm.signing(pair.getPrivate()).getName()).isEqualTo("EdDSA");
        var verifier = KeyMaterial.verifierFor(key);
        verifier.verify(com.auth0.jwt.JWT.decode(token));
        String other = JwtWriter.sign(JwtWriter.header("EdDSA", "k_ed", "t"), payload,
                Ed25519Algorithm.signing(KeyMaterial.generateEd25519().getPrivate()));
        assertThatThrownBy(() -> verifier.verify(com.auth0.jwt.JWT.decode(other)))
                .isInstanceOf(com.auth0.jwt.exceptions.SignatureVerificationException.class);
    }

    @Test
    void es256AcceptsOnlyP256AndEdDsaOnlyEd25519() throws Exception {
        var bc = new BouncyCastleProvider();
        for (String curve : new String[] {"secp256k1", "brainpoolP256r1", "secp384r1", "secp224r1"}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", bc);
            g.initialize(new ECGenParameterSpec(curve));
            String pem = KeyMaterial.publicKeyPem(g.generateKeyPair().getPublic());
            assertThatThrownBy(() -> KeyMaterial.parsePublicKeyPem(pem, KeyAlgorithm.ES256)).as(curve)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        String ed448 = KeyMaterial.publicKeyPem(KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic());
        assertThatThrownBy(() -> KeyMaterial.parsePublicKeyPem(ed448, KeyAlgorithm.EDDSA))
                .isInstanceOf(IllegalArgumentException.class);
        String p256 = KeyMaterial.publicKeyPem(KeyMaterial.generateEs256().getPublic());
        assertThat(KeyMaterial.parsePublicKeyPem(p256, KeyAlgorithm.ES256)).isNotEmpty();
        assertThatThrownBy(() -> KeyMaterial.parsePublicKeyPem(p256, KeyAlgorithm.EDDSA))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyMaterial.parsePublicKeyPem(p256, KeyAlgorithm.HS256))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generatedIdentifiersHaveTheDocumentedEntropy() {
        assertThat(KeyMaterial.newKid()).matches("k_[A-Za-z0-9_-]{22}");
        assertThat(java.util.Base64.getUrlDecoder().decode(KeyMaterial.newHs256Secret())).hasSize(32);
        assertThat(java.util.Base64.getUrlDecoder().decode(KeyMaterial.newJti())).hasSize(16);
    }
}
