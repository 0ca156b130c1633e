package dev.chorus.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "The operator credential (separate from every project): it authenticates the admin API "
                + "/v1/admin/… (Basic, user 'operator').",
        subcommands = {AdminCommand.Init.class})
final class AdminCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Set the operator secret, stored as a PBKDF2 hash in the data dir (created if missing, "
                    + "so production can be prepared before its first start). The secret is read from --secret-file, "
                    + "else from the file named by " + OperatorSecret.FILE_ENV + ", else from " + OperatorSecret.VALUE_ENV
                    + "; it is never printed. At least 16 characters.",
                    "Works while the server is stopped and, through its control channel, while it runs."})
    static final class Init implements Callable<Integer> {
        @Mixin ConfigOptions options;
        @Spec CommandSpec spec;
        @Option(names = "--secret-file", paramLabel = "FILE", description = "File holding the operator secret.")
        Path secretFile;
        @Option(names = "--replace", description = "Replace an existing operator secret.") boolean replace;

        @Override
        public Integer call() throws Exception {
            String secret = OperatorSecret.read(secretFile, System.getenv());
            if (secret == null) {
                spec.commandLine().getErr().println("chorus: no operator secret: pass --secret-file FILE or set "
                        + OperatorSecret.FILE_ENV + " (or " + OperatorSecret.VALUE_ENV + ")");
                return Main.USAGE;
            }
            try {
                // checked before anything is created, so a refused secret leaves no new data dir behind
                dev.chorus.signaling.admin.OperatorCredential.checkSecret(secret);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("chorus: " + e.getMessage());
                return Main.USAGE;
            }
            ObjectNode args = CliOps.args().put("secret", secret).put("replace", replace);
            return CliOps.run(spec, options, "admin.init", args, false, true,
                    (out, r) -> out.println("operator credential set (stored as a PBKDF2 hash; the secret is not kept)"));
        }
    }
}
