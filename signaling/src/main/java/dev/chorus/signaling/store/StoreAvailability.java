package dev.chorus.signaling.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store answers, known without waiting for it: a probe thread asks {@link Store#reachable()} once per
 * interval, and a caller that met {@link StoreException.Unavailable} reports it at once. Readiness and the
 * WebSocket upgrade read {@link #available()} (a volatile read), so neither blocks on a database that is down.
 * The change each way is logged once, with the cause's class.
 */
public final class StoreAvailability implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreAvailability.class);

    private final Store store;
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final Thread probe;
    private volatile boolean closed;

    private StoreAvailability(Store store, Duration interval) {
        this.store = store;
        this.probe = Thread.ofVirtual().name("chorus-store-probe").unstarted(() -> probeLoop(interval));
    }

    /** Starts probing {@code store} every {@code interval}. */
    public static StoreAvailability start(Store store, Duration interval) {
        StoreAvailability a = new StoreAvailability(store, interval);
        a.probe.start();
        return a;
    }

    public boolean available() {
        return available.get();
    }

    /** A call failed with {@link StoreException.Unavailable}: unavailable until the probe reaches the store. */
    public void unavailable(StoreException.Unavailable cause) {
        if (available.compareAndSet(true, false)) {
            log.error("event=store_unavailable op=\"{}\" cause={} (joins are refused with 503 until the database"
                    + " answers again)", cause.getMessage(), rootCause(cause));
        }
    }

    private void probeLoop(Duration interval) {
        while (!closed) {
            boolean up;
            try {
                up = store.reachable();
            } catch (RuntimeException e) {
                up = false;
            }
            if (up && available.compareAndSet(false, true)) {
                log.warn("event=store_available (the database answers again; joins are admitted)");
            } else if (!up && available.compareAndSet(true, false)) {
                log.error("event=store_unavailable op=probe (joins are refused with 503 until the database answers"
                        + " again)");
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getName();
    }

    @Override
    public void close() {
        closed = true;
        probe.interrupt();
    }
}
