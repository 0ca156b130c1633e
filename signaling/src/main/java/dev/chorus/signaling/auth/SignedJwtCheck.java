package dev.chorus.signaling.auth;

import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.store.Store;
import java.lang.reflect.Proxy;

/**
 * Steps 2–5 of verification, shared by join tokens and backend JWTs: {@code typ} → kid (charset and length
 * checked before the single exact lookup by primary key; nothing is ever fetched) → {@code alg} must equal the
 * key's pinned algorithm, case-sensitively (so {@code none}, {@code NONE}, {@code HS256} on an ES256 key, … are
 * refused before any cryptography) → signature with the algorithm chosen by the key record.
 */
final class SignedJwtCheck {
    private SignedJwtCheck() {
    }

    static ProjectKey verify(Store store, ParsedJwt jwt, String expectedType) {
        return verify(store::key, jwt, expectedType);
    }

    /** @param keys the key by kid (the store, or a node's {@link VerificationCache}) */
    static ProjectKey verify(java.util.function.Function<String, java.util.Optional<ProjectKey>> keys, ParsedJwt jwt,
                             String expectedType) {
        JsonNode typ = jwt.header().get("typ");
        if (typ == null || !expectedType.equals(typ.textValue())) {
            throw new TokenRefusedException(RefusalReason.BAD_TYPE);
        }
        JsonNode kidNode = jwt.header().get("kid");
        String kid = kidNode == null ? null : kidNode.textValue();
        if (!Identifiers.isKid(kid)) {
            throw new TokenRefusedException(RefusalReason.UNKNOWN_KID);
        }
        ProjectKey key = keys.apply(kid)
                .orElseThrow(() -> new TokenRefusedException(RefusalReason.UNKNOWN_KID));
        JsonNode alg = jwt.header().get("alg");
        if (alg == null || !key.algorithm().jwtName().equals(alg.textValue())) {
            throw new TokenRefusedException(RefusalReason.ALG_MISMATCH, key.projectId(), kid, null);
        }
        try {
            KeyMaterial.verifierFor(key).verify(signingInput(jwt.token(), kid, key.algorithm().jwtName()));
        } catch (SignatureVerificationException | IllegalArgumentException e) {
            throw new TokenRefusedException(RefusalReason.BAD_SIGNATURE, key.projectId(), kid, null);
        }
        return key;
    }

    /**
     * The three raw parts in the shape java-jwt's {@code Algorithm.verify} reads. We do not call
     * {@code JWT.decode}: the token was already parsed strictly, and a second, laxer parse must not get a say.
     */
    private static DecodedJWT signingInput(String token, String kid, String alg) {
        int d1 = token.indexOf('.');
        int d2 = token.indexOf('.', d1 + 1);
        String[] parts = {token.substring(0, d1), token.substring(d1 + 1, d2), token.substring(d2 + 1)};
        return (DecodedJWT) Proxy.newProxyInstance(SignedJwtCheck.class.getClassLoader(),
                new Class<?>[] {DecodedJWT.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> parts[0];
                    case "getPayload" -> parts[1];
                    case "getSignature" -> parts[2];
                    case "getToken" -> token;
                    case "getKeyId" -> kid;
                    case "getAlgorithm" -> alg;
                    case "toString" -> "DecodedJWT[<redacted>]";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
