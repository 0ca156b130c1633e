package dev.chorus.media.srtp;

import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;

/**
 * The {@link org.jitsi.utils.logging2.Logger} handed to jitsi-srtp: warnings and errors go to one
 * {@link java.util.logging.Logger}, everything below is dropped, and a child logger is this logger itself.
 *
 * <p>Why not jitsi-utils' {@code LoggerImpl}: jitsi-srtp asks for a child logger for every crypto context it
 * derives (several per participant), and {@code LoggerImpl}'s child registers a {@code WeakReference} in the
 * parent's context list, which is pruned only when the parent's context changes: never, for a process-wide parent.
 * The 30-minute soak at 20 joins/s found those references growing by about 60 per second (a class-histogram diff;
 * docs/benchmarks.md). jitsi-srtp's context strings (class names) add nothing our own logs need, and the child
 * creation took a lock shared by every worker.
 */
final class JitsiSrtpLogger implements org.jitsi.utils.logging2.Logger {
    private final java.util.logging.Logger delegate;

    JitsiSrtpLogger(String name) {
        this.delegate = java.util.logging.Logger.getLogger(name);
    }

    @Override
    public org.jitsi.utils.logging2.Logger createChildLogger(String name, Map<String, String> context) {
        return this;
    }

    @Override
    public org.jitsi.utils.logging2.Logger createChildLogger(String name) {
        return this;
    }

    @Override
    public void warn(Object msg) {
        delegate.log(Level.WARNING, String.valueOf(msg));
    }

    @Override
    public void warn(Supplier<String> msg) {
        delegate.log(Level.WARNING, msg);
    }

    @Override
    public void warn(Object msg, Throwable cause) {
        delegate.log(Level.WARNING, String.valueOf(msg), cause);
    }

    @Override
    public void error(Object msg) {
        delegate.log(Level.SEVERE, String.valueOf(msg));
    }

    @Override
    public void error(Supplier<String> msg) {
        delegate.log(Level.SEVERE, msg);
    }

    @Override
    public void error(Object msg, Throwable cause) {
        delegate.log(Level.SEVERE, String.valueOf(msg), cause);
    }

    @Override
    public boolean isWarnEnabled() {
        return delegate.isLoggable(Level.WARNING);
    }

    // Below WARNING jitsi-srtp logs per context (INFO) or per packet (DEBUG, TRACE): never wanted, never formatted.

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public void trace(Object msg) {}

    @Override
    public void trace(Supplier<String> msg) {}

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public void debug(Object msg) {}

    @Override
    public void debug(Supplier<String> msg) {}

    @Override
    public boolean isInfoEnabled() {
        return false;
    }

    @Override
    public void info(Object msg) {}

    @Override
    public void info(Supplier<String> msg) {}

    // Configuration belongs to the JUL logger named at construction; jitsi-srtp never calls these.

    @Override
    public void setUseParentHandlers(boolean useParentHandlers) {}

    @Override
    public void addHandler(Handler handler) {}

    @Override
    public void removeHandler(Handler handler) {}

    @Override
    public void setLevelError() {}

    @Override
    public void setLevelWarn() {}

    @Override
    public void setLevelInfo() {}

    @Override
    public void setLevelDebug() {}

    @Override
    public void setLevelTrace() {}

    @Override
    public void setLevelAll() {}

    @Override
    public void setLevelOff() {}

    @Override
    public void setLevel(Level level) {}

    @Override
    public Level getLevel() {
        return Level.WARNING;
    }

    @Override
    public void addContext(Map<String, String> context) {}

    @Override
    public void addContext(String key, String value) {}
}
