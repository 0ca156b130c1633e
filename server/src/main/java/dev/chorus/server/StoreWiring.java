package dev.chorus.server;

import dev.chorus.signaling.store.StoreSettings;
import java.nio.file.Path;

/** The validated {@code store:} configuration as the store's settings. */
final class StoreWiring {
    private StoreWiring() {}

    static StoreSettings settings(ChorusConfig cfg) {
        ChorusConfig.Store s = cfg.store();
        StoreSettings.Type type = "postgres".equals(s.type()) ? StoreSettings.Type.POSTGRES : StoreSettings.Type.SQLITE;
        return new StoreSettings(type, s.url(), s.user(), s.passwordFile() == null ? null : Path.of(s.passwordFile()),
                s.pool().maxSize(), Durations.parse(s.pool().connectTimeout()));
    }

    /**
     * The chain this node's audit log anchors under in the store: its node id in a cluster (each node keeps its own
     * chain, no lock shared between nodes), the default chain for a single node.
     */
    static String auditChain(ChorusConfig cfg) {
        ChorusConfig.Cluster k = cfg.cluster();
        return k != null && k.enabled() ? k.nodeId() : dev.chorus.signaling.store.AuditAnchorRepository.DEFAULT_CHAIN;
    }
}
