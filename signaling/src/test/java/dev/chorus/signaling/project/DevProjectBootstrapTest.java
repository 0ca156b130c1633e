package dev.chorus.signaling.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.auth.BackendTokenMinter;
import dev.chorus.signaling.auth.JoinGrant;
import dev.chorus.signaling.auth.MintRequest;
import dev.chorus.signaling.testing.ControlFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fresh data dir gets a working dev project whose secrets exist only in 0600 files. */
class DevProjectBootstrapTest {
    @TempDir
    Path dataDir;

    @Test
    void freshDataDirGetsADevProjectWithWorkingCredentialsInPrivateFiles() throws Exception {
        try (ControlPlane cp = ControlPlane.open(dataDir, "chorus-dev", Clock.systemUTC(), new SimpleMeterRegistry())) {
            DevCredentials dev = cp.devBootstrap().bootstrapIfFresh(dataDir).orElseThrow();
            for (Path p : new Path[] {dev.apiSecretFile(), dev.signingPrivateKeyFile(), dataDir.resolve("chorus.db"),
                    dataDir.resolve("audit.log")}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                        .isEqualTo("rw-------");
            }
            String secret = Files.readString(dev.apiSecretFile()).strip();
            String pem = Files.readString(dev.signingPrivateKeyFile());
            // what the CLI prints names ids and paths, never the secret material
            String printed = String.join("\n", dev.printLines());
            assertThat(printed).contains(dev.apiKeyId(), dev.signingKid(), dev.apiSecretFile().toString())
                    .doesNotContain(secret).doesNotContain(pem.lines().skip(1).findFirst().orElseThrow());
            assertThat(String.join("\n", Files.readAllLines(dataDir.resolve("audit.log")))).doesNotContain(secret);

            // the API secret authenticates and mints; the ES256 key mints tokens the server accepts
            var principal = cp.authenticator().authenticate("Basic " + Base64.getEncoder().encodeToString(
                    (dev.apiKeyId() + ":" + secret).getBytes()), "127.0.0.1");
            var minted = cp.issuer().mint(principal, MintRequest.of("lobby", "dev-user", Set.of(Scope.ROOM_JOIN),
                    null), "127.0.0.1");
            assertThat(cp.admission().admit(minted.token(), "lobby", "127.0.0.1").roomId()).isEqualTo("lobby");
            String es = BackendTokenMinter.joinToken(BackendTokenMinter.readPrivateKeyPem(pem), dev.signingKid(),
                    DevProjectBootstrap.DEV_PROJECT_ID, "chorus-dev", "lobby", "dev-user-2",
                    "room:join media:subscribe", Duration.ofMinutes(5));
            JoinGrant g = cp.admission().admit(es, "lobby", "127.0.0.1");
            assertThat(g.kid()).isEqualTo(dev.signingKid());

            // a second start does nothing
            assertThat(cp.devBootstrap().bootstrapIfFresh(dataDir)).isEmpty();
        }
        try (ControlPlane cp = ControlPlane.open(dataDir, "chorus-dev", Clock.systemUTC(), new SimpleMeterRegistry())) {
            assertThat(cp.devBootstrap().bootstrapIfFresh(dataDir)).isEmpty();
            assertThat(cp.store().projects()).hasSize(1);
        }
    }

    @Test
    void aStoreWithAProjectIsNotTouched() {
        try (ControlFixture f = new ControlFixture()) {
            var boot = new DevProjectBootstrap(f.store, f.audit, f.clock);
            assertThat(boot.bootstrapIfFresh(f.dir)).isEmpty();
            assertThat(Files.exists(f.dir.resolve(DevProjectBootstrap.API_SECRET_FILE))).isFalse();
        }
    }
}
