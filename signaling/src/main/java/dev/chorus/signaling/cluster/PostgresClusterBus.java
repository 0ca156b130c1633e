package dev.chorus.signaling.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster bus over PostgreSQL LISTEN/NOTIFY, on the database the nodes share anyway: one dedicated listening
 * connection per node (polled by one platform thread), one dedicated connection for {@code pg_notify}. A lost
 * connection is reopened with backoff (100 ms doubling to 2 s); the listener hears {@code connected()} once LISTEN
 * is in place again. PostgreSQL delivers a notification only to sessions listening when it commits, so messages
 * sent while a node was away are lost exactly as with Redis: the store resync covers them.
 */
public final class PostgresClusterBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(PostgresClusterBus.class);
    private static final int POLL_MS = 250;

    private final String url;
    private final Properties props;
    private final String channel;
    private final AtomicBoolean listening = new AtomicBoolean();
    private final AtomicBoolean downLogged = new AtomicBoolean();
    private volatile boolean closed;
    private Thread poller;
    private Connection pub; // guarded by this

    public PostgresClusterBus(String jdbcUrl, String user, String password, String deployment) {
        this.url = jdbcUrl;
        this.props = new Properties();
        props.setProperty("user", user);
        if (password != null) props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        props.setProperty("socketTimeout", "5");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "chorus-cluster-bus");
        this.channel = channelFor(deployment);
    }

    /** A fixed-form identifier derived from the deployment id (LISTEN takes an identifier, never a parameter). */
    static String channelFor(String deployment) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(deployment.getBytes(StandardCharsets.UTF_8));
            return "chorus_events_" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void subscribe(Listener listener) {
        Connection first = listen(); // throws at start: a node does not start half-connected
        listening.set(true);
        listener.connected();
        poller = Thread.ofPlatform().daemon().name("chorus-cluster-listen").start(() -> poll(first, listener));
    }

    private Connection listen() {
        try {
            Connection c = DriverManager.getConnection(url, props);
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN " + channel);
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException("cluster bus: cannot LISTEN on " + redacted() + ": " + e.getMessage(), e);
        }
    }

    private void poll(Connection initial, Listener listener) {
        Connection c = initial;
        long backoff = 100;
        while (!closed) {
            if (c == null) {
                try {
                    c = listen();
                    backoff = 100;
                    listening.set(true);
                    if (downLogged.getAndSet(false)) log.info("event=cluster_bus_reconnected bus=postgres");
                    listener.connected();
                } catch (RuntimeException e) {
                    sleep(backoff);
                    backoff = Math.min(2000, backoff * 2);
                    continue;
                }
            }
            try {
                PGNotification[] ns = c.unwrap(PGConnection.class).getNotifications(POLL_MS);
                if (ns == null) continue;
                for (PGNotification n : ns) {
                    if (!channel.equals(n.getName())) continue;
                    ClusterEvent.parse(n.getParameter()).ifPresent(listener::received);
                }
            } catch (SQLException e) {
                if (closed) break;
                closeQuietly(c);
                c = null;
                if (listening.compareAndSet(true, false)) {
                    if (!downLogged.getAndSet(true)) {
                        log.warn("event=cluster_bus_down bus=postgres cause=\"{}\" effect=\"revocations from other "
                                + "nodes apply through the store resync until it is back\"", e.getMessage());
                    }
                    listener.disconnected();
                }
            }
        }
        closeQuietly(c);
    }

    @Override
    public synchronized boolean publish(ClusterEvent event) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (pub == null) pub = DriverManager.getConnection(url, props);
                try (PreparedStatement ps = pub.prepareStatement("SELECT pg_notify(?, ?)")) {
                    ps.setString(1, channel);
                    ps.setString(2, event.toJson());
                    ps.execute();
                }
                return true;
            } catch (SQLException e) { // a stale connection is retried once on a fresh one
                closeQuietly(pub);
                pub = null;
            }
        }
        return false;
    }

    @Override
    public boolean connected() {
        return listening.get();
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public void close() {
        closed = true;
        if (poller != null) {
            try {
                poller.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closeQuietly(pub);
            pub = null;
        }
    }

    private String redacted() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection
        }
    }
}
