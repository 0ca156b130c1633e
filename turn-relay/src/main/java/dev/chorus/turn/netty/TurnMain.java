package dev.chorus.turn.netty;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Standalone TURN relay: {@code java -cp … dev.chorus.turn.netty.TurnMain [file.properties] [--turn.key=value …]}.
 * Secrets are best given in the file or through {@code CHORUS_TURN_SECRETS} (command lines are visible to
 * other users of the machine).
 */
public final class TurnMain {
    private TurnMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> p = new HashMap<>();
        String env = System.getenv("CHORUS_TURN_SECRETS");
        if (env != null && !env.isBlank()) p.put("turn.secrets", env);
        for (String a : args) {
            if (a.startsWith("--") && a.contains("=")) {
                p.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: TurnMain [config.properties] [--turn.key=value ...]  (keys: docs/turn.md)");
                return;
            } else {
                load(Path.of(a), p);
            }
        }
        TurnServer server = new TurnServer(TurnConfig.fromProperties(p), new SimpleMeterRegistry());
        server.start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            done.countDown();
        }, "turn-shutdown"));
        done.await();
    }

    private static void load(Path file, Map<String, String> into) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        }
        for (String k : props.stringPropertyNames()) into.putIfAbsent(k, props.getProperty(k));
    }
}
