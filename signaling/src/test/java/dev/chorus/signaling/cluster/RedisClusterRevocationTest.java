package dev.chorus.signaling.cluster;

import dev.chorus.common.testing.ThrowawayRedis;
import dev.chorus.signaling.testing.ControlFixture;
import java.util.function.Supplier;

/** {@link ClusterRevocationTest} over a real redis-server (pub/sub through lettuce). */
class RedisClusterRevocationTest extends ClusterRevocationTest {
    ThrowawayRedis redis;

    @Override
    Supplier<ClusterBus> startBusServer() {
        redis = ThrowawayRedis.start();
        return () -> new RedisClusterBus(redis.uri(), ControlFixture.AUDIENCE);
    }

    @Override void stopBusServer() { redis.stop(); }
    @Override void startBusServerAgain() { redis.startAgain(); }
    @Override void closeBusServer() { if (redis != null) redis.close(); }
    @Override String kind() { return "redis"; }
}
