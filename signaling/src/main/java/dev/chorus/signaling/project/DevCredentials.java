package dev.chorus.signaling.project;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DevProjectBootstrap} created on a fresh data dir. The secret and private key are only in the files
 * (mode 0600); {@link #printLines()} is what the CLI prints: ids and paths, never the secret material.
 */
public record DevCredentials(String projectId, String apiKeyId, Path apiSecretFile, String signingKid,
                             Path signingPrivateKeyFile, List<String> printLines) {
    public DevCredentials {
        printLines = List.copyOf(printLines);
    }
}
