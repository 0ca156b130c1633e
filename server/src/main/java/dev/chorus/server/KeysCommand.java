package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.DevProjectBootstrap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"A project's keys on this host (list, create, retire, revoke). Works on the data dir while the "
                + "server is stopped, and through the running server's local control channel while it runs. "
                + "Actions are audited (actor local-cli).", "--json prints the result as JSON for scripts."},
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
        @Option(names = "--json", description = "Print JSON.") boolean json;
    }

    /** One line per key: kid, algorithm, state, dates, API scopes. */
    static void print(PrintWriter out, JsonNode k) {
        String when = !k.path("revokedAt").isNull() && k.has("revokedAt") ? " revoked " + k.path("revokedAt").asText()
                : !k.path("retiredAt").isNull() && k.has("retiredAt") ? " retired " + k.path("retiredAt").asText() : "";
        List<String> scopes = ProjectsCommand.toList(k.path("scopes"));
        out.printf("%-28s %-6s %-9s created %s%s scopes: %s%n", k.path("kid").asText(), k.path("algorithm").asText(),
                k.path("state").asText(), k.path("createdAt").asText(), when,
                scopes.isEmpty() ? "(none)" : String.join(",", scopes));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's keys.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return CliOps.run(spec, common.options, "keys.list", CliOps.args().put("project", common.project),
                    common.json, (out, r) -> r.forEach(k -> print(out, k)));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a key. HS256: prints the new API secret once. ES256/EdDSA: registers --public-key, "
                    + "or generates a pair and prints the private key once.",
                    "--scopes names what the key may do on the HTTP API (deny by default: without --scopes it can "
                            + "only sign join tokens).",
                    "Store printed secrets safely; Chorus cannot show them again."})
    static final class Create implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;
        @Option(names = "--algorithm", required = true, description = "HS256, ES256 or EdDSA.") String algorithm;
        @Option(names = "--public-key", paramLabel = "FILE", description = "SubjectPublicKeyInfo PEM to register.")
        Path publicKey;
        @Option(names = "--scopes", paramLabel = "SCOPES",
                description = "Comma-separated API scopes: tokens:mint, keys:admin, rooms:admin, revocations:admin, "
                        + "acl:admin, webhooks:admin, audit:read.") String scopes;
        @Option(names = "--secret-out", paramLabel = "FILE",
                description = "Write the one-time secret or private key to FILE (mode 0600, must not exist) instead "
                        + "of printing it.") Path secretOut;

        @Override
        public Integer call() throws Exception {
            ObjectNode args = CliOps.args().put("project", common.project).put("algorithm", algorithm)
                    .put("scopes", scopes == null ? "" : scopes);
            if (publicKey != null) args.put("publicKeyPem", Files.readString(publicKey));
            return CliOps.run(spec, common.options, "keys.create", args, common.json && secretOut == null,
                    (out, r) -> {
                        print(out, r.path("key"));
                        String secret = r.hasNonNull("secret") ? r.get("secret").asText() + "\n"
                                : r.hasNonNull("privateKeyPem") ? r.get("privateKeyPem").asText() : null;
                        if (secret == null) return;
                        if (secretOut != null) {
                            writePrivate(secretOut, secret);
                            out.println((r.hasNonNull("secret") ? "secret" : "private key") + ": written to "
                                    + secretOut + " (mode 0600)");
                        } else if (r.hasNonNull("secret")) {
                            out.println("secret: " + r.get("secret").asText());
                        } else {
                            out.print(secret);
                        }
                    });
        }

        private static void writePrivate(Path file, String content) {
            try {
                Files.writeString(Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))), content);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot write " + file + ": " + e.getMessage()
                        + " (the key was created; revoke it if its secret is lost)");
            }
        }
    }

    /** Retire and revoke differ only in the operation. */
    abstract static class StateChange implements Callable<Integer> {
        @Mixin Common common;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "KID") String kid;

        abstract String op();

        @Override
        public Integer call() throws Exception {
            return CliOps.run(spec, common.options, op(), CliOps.args().put("project", common.project).put("kid", kid),
                    common.json, KeysCommand::print);
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Retire a key: it still verifies what it signed but cannot sign or authenticate anew.")
    static final class Retire extends StateChange {
        @Override
        String op() {
            return "keys.retire";
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key: every token it signed is refused from now on (a running server closes the "
                    + "sessions it admitted).")
    static final class Revoke extends StateChange {
        @Override
        String op() {
            return "keys.revoke";
        }
    }

}
