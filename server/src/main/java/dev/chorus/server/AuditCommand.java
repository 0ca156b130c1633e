package dev.chorus.server;

import dev.chorus.signaling.audit.AuditKey;
import dev.chorus.signaling.audit.AuditVerification;
import dev.chorus.signaling.audit.AuditVerifier;
import dev.chorus.signaling.audit.ClusterAuditVerifier;
import dev.chorus.signaling.store.Store;
import dev.chorus.signaling.store.Stores;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.store.AuditHead;
import dev.chorus.signaling.store.StoreSettings;
import picocli.CommandLine;
import picocli.CommandLine.Option;
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
            description = {"Check the keyed hash chain of an audit file (default: <dataDir>/audit.log) and, for the",
                    "data dir's own log, that it still reaches the head anchored in the store (chorus.db).",
                    "Exit code 0 if intact; 1 and the first broken line if edited, reordered, inserted, deleted,",
                    "cut at the end or rolled back to an older copy."})
    static final class Verify implements Callable<Integer> {
        @Mixin ConfigOptions options;
        @Parameters(arity = "0..1", paramLabel = "FILE",
                description = "Audit file to verify (no anchor check unless --anchor-id/--anchor-hash are given).")
        Path file;
        @Option(names = "--key", paramLabel = "FILE", description = "Audit key file (default: audit.key next to the log).")
        Path key;
        @Option(names = "--anchor-id", description = "Anchored head id (e.g. exported elsewhere).") Long anchorId;
        @Option(names = "--anchor-hash", description = "Anchored head hash.") String anchorHash;
        @Option(names = "--node", paramLabel = "ID=FILE", description = {"Cluster: another node's audit file (its audit.key"
                + " beside it), repeatable. Every node's chain anchored in the shared store is verified; a node whose"
                + " file is not given is reported as not verified."})
        java.util.Map<String, Path> nodes = new java.util.LinkedHashMap<>();
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (file == null) {
                ChorusConfig cfg = options.load();
                String chain = StoreWiring.auditChain(cfg);
                if (!chain.isEmpty() || !nodes.isEmpty()) return verifyCluster(cfg, chain);
            }
            Path dataDir = file == null ? Path.of(options.load().dataDir()) : null;
            Path f = file != null ? file : dataDir.resolve(ControlPlane.AUDIT_FILE);
            if (!Files.isReadable(f)) {
                spec.commandLine().getErr().println("chorus: audit file " + f + " does not exist or is not readable");
                return Main.FAILURE;
            }
            AuditKey k = AuditKey.read(key != null ? key : AuditKey.fileFor(f)).orElse(null);
            AuditHead anchor = null;
            if ((anchorId == null) != (anchorHash == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give both --anchor-id and --anchor-hash");
            }
            if (anchorId != null) {
                anchor = new AuditHead(anchorId, anchorHash);
            } else if (dataDir != null) {
                StoreSettings settings = StoreWiring.settings(options.load());
                if (settings.type() == StoreSettings.Type.POSTGRES || Files.exists(dataDir.resolve(ControlPlane.DB_FILE))) {
                    try (Store store = Stores.open(settings, dataDir)) { // the anchor, in SQLite or PostgreSQL
                        anchor = store.auditHead().orElse(null);
                    }
                }
            }
            AuditVerification v = AuditVerifier.verify(f, k, anchor);
            return report(v, k, anchor);
        }

        /** Every node's chain against its head anchored in the shared store; names the node and line that broke. */
        private Integer verifyCluster(ChorusConfig cfg, String chain) throws Exception {
            Path dataDir = Path.of(cfg.dataDir());
            java.util.Map<String, Path> files = new java.util.LinkedHashMap<>(nodes);
            files.putIfAbsent(chain, dataDir.resolve(ControlPlane.AUDIT_FILE));
            java.util.List<ClusterAuditVerifier.NodeResult> results;
            try (Store store = Stores.open(StoreWiring.settings(cfg), dataDir)) {
                results = ClusterAuditVerifier.verify(files, store);
            }
            boolean intact = true;
            for (ClusterAuditVerifier.NodeResult r : results) {
                spec.commandLine().getOut().println(r.describe());
                intact &= r.intact();
            }
            spec.commandLine().getOut().println(intact ? "OK: every node's chain intact (" + results.size() + " nodes)"
                    : "BROKEN: see the nodes above");
            return intact ? Main.OK : Main.FAILURE;
        }

        private Integer report(AuditVerification v, AuditKey k, AuditHead anchor) {
            if (v.intact()) {
                spec.commandLine().getOut().println("OK: " + v.linesChecked() + " lines, chain intact"
                        + (k == null ? " (unkeyed: no audit key found)" : "")
                        + (anchor == null ? ", no anchor checked" : ", anchored head id " + anchor.lastId() + " present")
                        + ", head " + v.headHash());
                return Main.OK;
            }
            spec.commandLine().getOut().println("BROKEN: line " + v.firstBrokenLine() + ": " + v.problem());
            return Main.FAILURE;
        }
    }
}
