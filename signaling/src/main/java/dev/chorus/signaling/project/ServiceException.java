package dev.chorus.signaling.project;

/** A refused service call: a stable {@link ServiceError} plus a short human message safe to show the caller. */
public final class ServiceException extends RuntimeException {
    private final ServiceError error;

    public ServiceException(ServiceError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ServiceError error() {
        return error;
    }
}
