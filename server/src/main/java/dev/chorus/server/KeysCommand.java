package dev.chorus.server;

import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.CreatedKey;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyInfo;
import dev.chorus.signaling.project.KeyService;
import dev.chorus.signaling.project.ServiceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Project keys on this host's store (list, create, retire, revoke). Actions are audited.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Create.class, KeysCommand.Retire.class,
                KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Common {
        @Mixin ConfigOptions options;
        @Option(names = "--project", defaultValue = DevProjectBootstrap.DEV_PROJECT_ID,
                description = "Project id (default: ${DEFAULT-VALUE}).") String project;
    }

    static void print(PrintWriter out, KeyInfo k) {
        out.printf("%-28s %-6s %-9s created %s%s%n", k.kid(), k.algorithm().jwtName(), k.state().wire(), k.createdAt(),
                k.revokedAt() != null ? " revoked " + k.revokedAt() : k.retiredAt() != null ? " retired " + k.retiredAt() : "");
    }

    static int failed(CommandSpec spec, ServiceException e) {
        spec.commandLine().getErr().println("chorus: " + e.error().code() + ": " + e.getMessage());
        return Main.FAILURE;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's keys.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (LocalControl.Locked l = LocalControl.open(common.options.load())) {
                ControlPlane c = l.control();
                for (KeyInfo k : c.keys().list(LocalControl.operator(common.project))) print(spec.commandLine().getOut(), k);
                return Main.OK;
            } catch (ServiceException e) {
                return failed(spec, e);
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a key. HS256: prints the new API secret once. ES256/EdDSA: registers --public-key, "
                    + "or generates a pair and prints the private key once.", "Store printed secrets safely; Chorus cannot show them again."})
    static final class Create implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;
        @Option(names = "--algorithm", required = true, description = "HS256, ES256 or EdDSA.") String algorithm;
        @Option(names = "--public-key", paramLabel = "FILE", description = "SubjectPublicKeyInfo PEM to register.")
        Path publicKey;

        @Override
        public Integer call() throws Exception {
            KeyAlgorithm alg = KeyAlgorithm.fromJwtName(algorithm).orElse(null);
            if (alg == null) {
                spec.commandLine().getErr().println("chorus: --algorithm must be HS256, ES256 or EdDSA");
                return Main.USAGE;
            }
            String pem = publicKey == null ? null : Files.readString(publicKey);
            try (LocalControl.Locked l = LocalControl.open(common.options.load())) {
                ControlPlane c = l.control();
                CreatedKey k = c.keys().create(LocalControl.operator(common.project), alg, pem, LocalControl.SOURCE);
                PrintWriter out = spec.commandLine().getOut();
                print(out, k.key());
                if (k.secret() != null) out.println("secret: " + k.secret());
                if (k.privateKeyPem() != null) out.print(k.privateKeyPem());
                return Main.OK;
            } catch (ServiceException e) {
                return failed(spec, e);
            }
        }
    }

    /** Retire and revoke differ only in the state they move a key to. */
    abstract static class StateChange implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "KID") String kid;

        abstract KeyInfo change(KeyService keys, BackendPrincipal operator, String kid);

        @Override
        public Integer call() throws Exception {
            try (LocalControl.Locked l = LocalControl.open(common.options.load())) {
                print(spec.commandLine().getOut(),
                        change(l.control().keys(), LocalControl.operator(common.project), kid));
                return Main.OK;
            } catch (ServiceException e) {
                return failed(spec, e);
            }
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Retire a key: it still verifies what it signed but cannot sign or authenticate anew.")
    static final class Retire extends StateChange {
        @Override
        KeyInfo change(KeyService keys, BackendPrincipal operator, String kid) {
            return keys.retire(operator, kid, LocalControl.SOURCE);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key: every token it signed is refused from now on (a running server closes the "
                    + "sessions it admitted when revoked through the HTTP API).")
    static final class Revoke extends StateChange {
        @Override
        KeyInfo change(KeyService keys, BackendPrincipal operator, String kid) {
            return keys.revoke(operator, kid, LocalControl.SOURCE);
        }
    }
}
