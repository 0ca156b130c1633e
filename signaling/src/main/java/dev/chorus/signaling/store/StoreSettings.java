package dev.chorus.signaling.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Which store a node uses ({@code store:} in the configuration, docs/configuration.md): the embedded SQLite file
 * in the data dir (the default, one node), or a PostgreSQL database shared by the nodes of a cluster.
 *
 * @param type              sqlite or postgres
 * @param url               PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/db}); unused for SQLite
 * @param user              PostgreSQL user
 * @param passwordFile      file holding the PostgreSQL password (never the password itself in the config)
 * @param poolSize          most connections the pool opens
 * @param connectTimeout    how long a caller waits for a connection before the store reports it unavailable
 */
public record StoreSettings(Type type, String url, String user, Path passwordFile, int poolSize,
                            Duration connectTimeout) {
    public enum Type {
        SQLITE, POSTGRES;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final StoreSettings SQLITE = new StoreSettings(Type.SQLITE, null, null, null, 10,
            Duration.ofSeconds(2));

    public StoreSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException("store.pool.maxSize must be 1-200");
        }
        if (type == Type.POSTGRES && (url == null || !url.startsWith("jdbc:postgresql://"))) {
            throw new IllegalArgumentException("store.url must be a jdbc:postgresql:// URL when store.type is postgres");
        }
    }

    public static StoreSettings postgres(String url, String user, Path passwordFile) {
        return new StoreSettings(Type.POSTGRES, url, user, passwordFile, 10, Duration.ofSeconds(2));
    }

    public StoreSettings withPool(int maxSize, Duration connectTimeout) {
        return new StoreSettings(type, url, user, passwordFile, maxSize, connectTimeout);
    }
}
