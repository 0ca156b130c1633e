package dev.chorus.server;

import dev.chorus.signaling.audit.AuditVerification;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.project.ControlPlane;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit trail tools.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the hash chain of an audit file (default: <dataDir>/audit.log).",
                    "Exit code 0 if intact; 1 and the first broken line if edited, reordered, inserted or deleted."})
    static final class Verify implements Callable<Integer> {
        @Mixin ConfigOptions options;
        @Parameters(arity = "0..1", paramLabel = "FILE", description = "Audit file to verify.") Path file;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path f = file != null ? file : Path.of(options.load().dataDir()).resolve(ControlPlane.AUDIT_FILE);
            if (!Files.isReadable(f)) {
                spec.commandLine().getErr().println("chorus: audit file " + f + " does not exist or is not readable");
                return Main.FAILURE;
            }
            AuditVerification v = AuditVerifier.verify(f);
            if (v.intact()) {
                spec.commandLine().getOut().println("OK: " + v.linesChecked() + " lines, chain intact, head " + v.headHash());
                return Main.OK;
            }
            spec.commandLine().getOut().println("BROKEN: line " + v.firstBrokenLine() + ": " + v.problem());
            return Main.FAILURE;
        }
    }
}
