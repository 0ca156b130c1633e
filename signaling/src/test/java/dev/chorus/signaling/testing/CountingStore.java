package dev.chorus.signaling.testing;

import dev.chorus.signaling.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real store and counts calls per method name, so a test can prove that a refusal happened before any
 * lookup ("no DB access") or that a refused request wrote nothing.
 */
public final class CountingStore {
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Store proxy;

    public CountingStore(Store delegate) {
        this.proxy = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (p, m, args) -> {
                    calls.computeIfAbsent(m.getName(), k -> new AtomicInteger()).incrementAndGet();
                    try {
                        return m.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    public Store store() {
        return proxy;
    }

    public int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** Calls of every method that writes. */
    public int writes() {
        int n = 0;
        for (String m : new String[] {"createProject", "updateProject", "insertKey", "updateKeyState", "rotateKey",
                "revokeToken", "revokeSubject", "purgeExpiredRevocations", "createRoom", "closeRoom", "putAclEntry",
                "putScopeOverride", "deleteScopeOverride", "putAccessPolicy"}) {
            n += calls(m);
        }
        return n;
    }

    public void reset() {
        calls.clear();
    }
}
