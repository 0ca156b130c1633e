package dev.chorus.bench.cluster;

import dev.chorus.common.testing.ThrowawayPostgres;
import dev.chorus.common.testing.ThrowawayRedis;
import dev.chorus.signaling.cluster.ClusterBus;
import dev.chorus.signaling.cluster.ClusterNodes;
import dev.chorus.signaling.cluster.ClusterTrials;
import dev.chorus.signaling.cluster.PostgresClusterBus;
import dev.chorus.signaling.cluster.RedisClusterBus;
import dev.chorus.signaling.store.PostgresStore;
import dev.chorus.signaling.store.StoreSettings;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chorus bench cluster}: issue 17's Must-show trial counts, which are too long for the test suite (the suite
 * runs the same trials, {@link ClusterTrials}, a few times each). Three nodes in one JVM share one real PostgreSQL
 * (started here on loopback in a temp dir) and a real bus (redis-server, or LISTEN/NOTIFY on that PostgreSQL):
 * revocations of a jti, a subject and a key and ACL changes made through node A, timed until node C enforces them
 * (p50/p99 over {@code --trials}); then {@code maxSessions = 1} and one token raced at two nodes at the same instant
 * ({@code --races} each). Exit code 1 when a p99 is above 1 s or a race ever kept two sessions.
 */
@Command(name = "chorus bench cluster", mixinStandardHelpOptions = true,
        description = "Cluster trials: revocation latency A→C (p99) and simultaneous admissions (docs/benchmarks.md).")
public final class ClusterBench implements Callable<Integer> {
    @Option(names = "--trials", defaultValue = "50", description = "Revocation/ACL trials per kind. Default: ${DEFAULT-VALUE}")
    int trials;
    @Option(names = "--races", defaultValue = "100", description = "Trials per admission race. Default: ${DEFAULT-VALUE}")
    int races;
    @Option(names = "--bus", split = ",", defaultValue = "redis,postgres",
            description = "Buses to measure revocations over: redis, postgres. Default: ${DEFAULT-VALUE}")
    List<String> buses;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (trials < 1 || trials > 1000 || races < 0 || races > 1000) {
            System.err.println("chorus bench cluster: --trials 1..1000 and --races 0..1000");
            return 2;
        }
        boolean ok = true;
        List<String> rows = new ArrayList<>();
        for (String bus : buses) {
            try (ThrowawayPostgres pg = ThrowawayPostgres.start(); ThrowawayRedis redis = redisFor(bus)) {
                String url = pg.createDatabase("cluster");
                Supplier<ClusterBus> connect = bus.equals("redis")
                        ? () -> new RedisClusterBus(redis.uri(), ControlFixture.AUDIENCE)
                        : () -> new PostgresClusterBus(url, pg.user(), pg.password(), ControlFixture.AUDIENCE);
                PostgresStore store = PostgresStore.open(StoreSettings.postgres(url, pg.user(), pg.passwordFile())
                        .withPool(10, Duration.ofSeconds(1)));
                try (ClusterNodes cluster = new ClusterNodes(3, connect, Duration.ofMillis(500), store)) {
                    List<ClusterTrials.Latencies> all = new ArrayList<>(ClusterTrials.revocations(cluster, trials, bus));
                    all.add(ClusterTrials.aclChanges(cluster, trials));
                    for (ClusterTrials.Latencies l : all) {
                        rows.add(String.format("| %s | %s | %d | %d ms | %d ms | %d ms |", l.kind(), bus,
                                l.ms().size(), l.p50(), l.p99(), l.max()));
                        ok &= l.p99() <= 1000;
                    }
                    if (races > 0 && bus.equals(this.buses.getFirst())) {
                        ClusterTrials.Race max = ClusterTrials.maxSessionsRace(cluster, races);
                        ClusterTrials.Race token = ClusterTrials.oneTokenRace(cluster, races);
                        rows.add("maxSessions=1, two nodes at once (" + bus + "): " + max);
                        rows.add("one token, two nodes at once (" + bus + "): " + token);
                        ok &= max.two() == 0 && token.two() == 0;
                    }
                }
            }
        }
        System.out.println("| change A→C | bus | trials | p50 | p99 | max |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
        System.out.println(ok ? "OK: every p99 ≤ 1 s, no race kept two sessions"
                : "FAILED: a p99 above 1 s or a race with two sessions");
        return ok ? 0 : 1;
    }

    private static ThrowawayRedis redisFor(String bus) {
        return switch (bus) {
            case "redis" -> ThrowawayRedis.start();
            case "postgres" -> null;
            default -> throw new CommandLine.ParameterException(new CommandLine(new ClusterBench()),
                    "unknown --bus " + bus + " (redis, postgres)");
        };
    }
}
