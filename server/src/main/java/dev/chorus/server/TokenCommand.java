package dev.chorus.server;

import dev.chorus.signaling.auth.BackendTokenMinter;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "token", mixinStandardHelpOptions = true, description = "Join tokens.",
        subcommands = TokenCommand.Mint.class)
final class TokenCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "mint", mixinStandardHelpOptions = true,
            description = {"Mint a join token locally with an ES256 private key (default: the dev signing key in the "
                    + "data dir). Prints only the token on standard output.",
                    "Example: chorus token mint --room demo --identity user-1 --scope room:join --scope media:subscribe"})
    static final class Mint implements Callable<Integer> {
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;

        @Option(names = "--room", required = true, description = "Room id the token is for.") String room;
        @Option(names = "--identity", required = true, description = "Participant identity (opaque; no e-mail).")
        String identity;
        @Option(names = "--scope", paramLabel = "SCOPE",
                description = "Scope to grant; repeat for several. Default: room:join media:subscribe "
                        + "media:publish:audio media:publish:video.")
        List<String> scopes;
        @Option(names = "--ttl", defaultValue = "10m", description = "Lifetime, e.g. 10m, 1h (default: ${DEFAULT-VALUE}).")
        String ttl;
        @Option(names = "--project", defaultValue = DevProjectBootstrap.DEV_PROJECT_ID,
                description = "Project id (default: ${DEFAULT-VALUE}).") String project;
        @Option(names = "--kid", description = "Key id of the signing key (default: the project's active ES256 key).")
        String kid;
        @Option(names = "--key", paramLabel = "FILE",
                description = "PKCS#8 PEM private key (default: <dataDir>/" + DevProjectBootstrap.SIGNING_KEY_FILE + ").")
        Path keyFile;

        @Override
        public Integer call() throws Exception {
            ChorusConfig cfg = options.load();
            List<String> granted = scopes == null || scopes.isEmpty()
                    ? List.of("room:join", "media:subscribe", "media:publish:audio", "media:publish:video") : scopes;
            for (String s : granted) {
                if (Scope.fromWire(s).isEmpty()) {
                    spec.commandLine().getErr().println("chorus: unknown scope '" + s + "'");
                    return Main.USAGE;
                }
            }
            Duration lifetime;
            try {
                lifetime = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("chorus: --ttl: " + e.getMessage());
                return Main.USAGE;
            }
            // Read-only use of the store: no lock, no audit append (a running server may own the audit trail; the
            // join that uses this token is audited by the server). Like a backend minting with its own key.
            try (Store store = Stores.open(StoreWiring.settings(cfg), LocalControl.existing(cfg))) {
                Project p = store.project(project).orElse(null);
                if (p == null) {
                    spec.commandLine().getErr().println("chorus: no project '" + project + "' in the store");
                    return Main.FAILURE;
                }
                if (lifetime.isZero() || lifetime.compareTo(p.maxTokenTtl()) > 0) {
                    spec.commandLine().getErr().println("chorus: --ttl must be above 0 and at most the project's maximum ("
                            + p.maxTokenTtl() + ")");
                    return Main.FAILURE;
                }
                String signingKid = kid != null ? kid
                        : DevBanner.devKeys(store.keys(project)).signingKid();
                if (signingKid == null) {
                    spec.commandLine().getErr().println("chorus: project '" + project + "' has no active ES256 key; pass --kid");
                    return Main.FAILURE;
                }
                Path key = keyFile != null ? keyFile
                        : Path.of(cfg.dataDir()).resolve(DevProjectBootstrap.SIGNING_KEY_FILE);
                if (!Files.isReadable(key)) {
                    spec.commandLine().getErr().println("chorus: private key " + key + " is not readable; pass --key");
                    return Main.FAILURE;
                }
                PrivateKey pk = BackendTokenMinter.readPrivateKeyPem(Files.readString(key));
                String token = BackendTokenMinter.joinToken(pk, signingKid, project, cfg.deploymentId(), room, identity,
                        String.join(" ", granted), lifetime);
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                return Main.OK;
            }
        }
    }
}
