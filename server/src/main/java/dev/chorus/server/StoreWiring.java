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
}
