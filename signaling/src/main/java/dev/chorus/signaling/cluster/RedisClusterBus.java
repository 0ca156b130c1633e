package dev.chorus.signaling.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster bus over Redis pub/sub (lettuce on Netty): one PUBLISH per event on the deployment's channel, one
 * SUBSCRIBE connection per node. Lettuce reconnects by itself (100 ms doubling to at most 2 s) and re-subscribes;
 * the listener hears {@code connected()} when Redis confirms the subscription again, which is when the node
 * resynchronises. Commands are rejected at once while disconnected (no unbounded buffer of stale events).
 */
public final class RedisClusterBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(RedisClusterBus.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ClientResources resources;
    private final RedisClient client;
    private final String channel;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean downLogged = new AtomicBoolean();
    private volatile StatefulRedisPubSubConnection<String, String> sub;
    private volatile StatefulRedisConnection<String, String> pub;

    /**
     * @param uri        e.g. {@code redis://127.0.0.1:6379} (a password, if any, in the URI's user info)
     * @param deployment the deployment id: nodes of one deployment share a channel, other deployments do not hear it
     */
    public RedisClusterBus(String uri, String deployment) {
        this.resources = ClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(CONNECT_TIMEOUT); // the handshake on a loaded host; commands keep COMMAND_TIMEOUT
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
        this.channel = "chorus:" + deployment + ":events";
    }

    @Override
    public void subscribe(Listener listener) {
        StatefulRedisPubSubConnection<String, String> c = client.connectPubSub();
        c.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (!channel.equals(ch)) return;
                ClusterEvent.parse(message).ifPresentOrElse(listener::received,
                        () -> log.debug("event=cluster_bus_message_dropped bus=redis"));
            }

            @Override
            public void subscribed(String ch, long count) {
                if (channel.equals(ch) && subscribed.compareAndSet(false, true)) {
                    if (downLogged.getAndSet(false)) log.info("event=cluster_bus_reconnected bus=redis");
                    listener.connected();
                }
            }
        });
        c.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (subscribed.compareAndSet(true, false)) {
                    if (!downLogged.getAndSet(true)) {
                        log.warn("event=cluster_bus_down bus=redis effect=\"revocations from other nodes apply "
                                + "through the store resync until it is back\"");
                    }
                    listener.disconnected();
                }
            }
        });
        this.sub = c;
        c.sync().subscribe(channel);
        this.pub = client.connect();
    }

    @Override
    public boolean publish(ClusterEvent event) {
        StatefulRedisConnection<String, String> p = pub;
        if (p == null) return false;
        try {
            p.sync().publish(channel, event.toJson());
            return true;
        } catch (RuntimeException e) { // disconnected (rejected at once) or timed out: the resync covers it
            return false;
        }
    }

    @Override
    public boolean connected() {
        return subscribed.get();
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public void close() {
        try {
            if (sub != null) sub.close();
            if (pub != null) pub.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
