package dev.chorus.signaling.audit;

import dev.chorus.signaling.store.AuditAnchorRepository;
import dev.chorus.signaling.store.AuditHead;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Verifies every node's audit chain of a deployment (docs/cluster.md "Audit"). Each node appends to its own keyed
 * chain in its own data dir (no lock shared between nodes) and anchors its head in the shared store under its node
 * id; this walks each node's file with the key beside it ({@link AuditKey#fileFor}) against that node's anchor, and
 * names the node and the line that broke. A chain anchored in the store whose file was not given is reported as not
 * verified (a node's whole log can go missing too); a file given for a node the store never anchored is checked
 * as a chain alone and reported so.
 */
public final class ClusterAuditVerifier {
    private ClusterAuditVerifier() {}

    /** One node's result: {@code verification} null when its file was not given. */
    public record NodeResult(String node, Path file, AuditHead anchor, AuditVerification verification) {
        public boolean intact() {
            return verification != null && verification.intact();
        }

        /** One line for an operator: {@code node-b: BROKEN at line 3 of /path: ...}. */
        public String describe() {
            String name = node.isEmpty() ? "(single node)" : node;
            if (verification == null) {
                return name + ": NOT VERIFIED: the store anchors its chain at id " + anchor.lastId()
                        + " but no audit file was given for it";
            }
            if (!verification.intact()) {
                return name + ": BROKEN at line " + verification.firstBrokenLine() + " of " + file + ": "
                        + verification.problem();
            }
            return name + ": OK: " + verification.linesChecked() + " lines"
                    + (anchor == null ? " (no anchor in the store: chain checked alone)"
                    : ", anchored head id " + anchor.lastId() + " present");
        }
    }

    /**
     * @param files  each node's audit file by node id ({@link AuditAnchorRepository#DEFAULT_CHAIN} for a single
     *               node); the audit key must lie beside each file
     * @param anchor the shared store's anchored heads
     * @return one result per node, in node id order
     */
    public static List<NodeResult> verify(Map<String, Path> files, AuditAnchorRepository anchor) throws IOException {
        Map<String, AuditHead> heads = anchor.auditHeads();
        TreeSet<String> nodes = new TreeSet<>(heads.keySet());
        nodes.addAll(files.keySet());
        List<NodeResult> results = new ArrayList<>();
        for (String node : nodes) {
            AuditHead head = heads.get(node);
            Path file = files.get(node);
            if (file == null) {
                results.add(new NodeResult(node, null, head, null));
            } else if (!Files.isReadable(file)) {
                results.add(new NodeResult(node, file, head,
                        AuditVerification.broken(0, 1, "the audit file does not exist or is not readable")));
            } else {
                AuditKey key = AuditKey.read(AuditKey.fileFor(file)).orElse(null);
                results.add(new NodeResult(node, file, head, AuditVerifier.verify(file, key, head)));
            }
        }
        return results;
    }
}
