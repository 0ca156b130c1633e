package dev.chorus.signaling.store;

/** A store failure. Messages name the operation, never the values (which may be secrets or user text). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }

    /** A uniqueness or state-transition rule was violated. */
    public static final class Conflict extends StoreException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** The record to update does not exist. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(message);
        }
    }

    /**
     * The database cannot be reached (down, network, pool exhausted while it is down). Nothing was changed that the
     * caller was told about; the operation may be retried once the database is back (the store reconnects by
     * itself). Joins are refused with 503 while this is raised.
     */
    public static final class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
