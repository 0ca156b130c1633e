package dev.chorus.signaling.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.store.SqliteStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end against a real HTTPS receiver on loopback, over the real SQLite store: every event arrives in
 * order with a valid signature, nothing is lost while the receiver is down or across a restart of the sender, the
 * queue is bounded, and private destinations are refused unless allowed.
 */
class WebhookDeliveryTest {
    private static final byte[] SECRET = "whsec-delivery-test-secret-0001!".getBytes(StandardCharsets.US_ASCII);
    /** Short backoff so a test receiver that comes back is retried within a second. */
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500),
            Duration.ofHours(1));

    @TempDir Path dir;
    private final Clock clock = Clock.systemUTC();
    private HttpsWebhookReceiver receiver;
    private SqliteStore store;
    private SimpleMeterRegistry registry;
    private Webhooks webhooks;

    @BeforeEach
    void setUp() throws Exception {
        receiver = new HttpsWebhookReceiver(dir.resolve("receiver-tls"), SECRET, clock);
        store = SqliteStore.open(dir.resolve("chorus.db"));
        store.createProject(Project.withDefaults("acme", "Acme", clock.instant()));
        store.webhooks().addEndpoint(new WebhookEndpoint("wh_1", "acme", receiver.url(), SECRET, Set.of(),
                clock.instant()));
        webhooks = open(true, 10_000, FAST);
    }

    private Webhooks open(boolean allowPrivate, int maxPending, RetryPolicy policy) {
        registry = new SimpleMeterRegistry();
        WebhookMetrics metrics = new WebhookMetrics(registry);
        HttpClient http = HttpClient.newBuilder().sslContext(receiver.clientContext())
                .connectTimeout(Duration.ofSeconds(2)).build();
        WebhookDispatcher d = new WebhookDispatcher(store.webhooks(), http, clock, policy, allowPrivate, metrics)
                .start();
        return new Webhooks(store.webhooks(), d, clock, maxPending, metrics);
    }

    @AfterEach
    void tearDown() {
        webhooks.close();
        store.close();
        receiver.close();
    }

    private void emit(int n, String room) {
        for (int i = 0; i < n; i++) {
            webhooks.emit("acme", WebhookEventType.PARTICIPANT_JOINED, WebhookActor.participant("user-" + i),
                    Map.of("room", room, "seq", Integer.toString(i)));
        }
    }

    private static void await(BooleanSupplier condition, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(25);
        }
        assertThat(condition.getAsBoolean()).as("condition within " + max).isTrue();
    }

    private List<String> acceptedSeqs() {
        return receiver.accepted().stream().map(r -> r.body().replaceAll(".*\"seq\":\"(\\d+)\".*", "$1")).toList();
    }

    private static List<String> range(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    @Test
    void everyEventArrivesOnceInOrderWithAValidSignature() throws Exception {
        emit(30, "r1");
        await(() -> receiver.accepted().size() == 30, Duration.ofSeconds(20));
        assertThat(receiver.received()).allMatch(r -> r.verdict() == WebhookReceiver.Verdict.ACCEPTED);
        assertThat(acceptedSeqs()).containsExactlyElementsOf(range(30));
        assertThat(receiver.accepted().stream().map(HttpsWebhookReceiver.Received::eventId).distinct().count())
                .isEqualTo(30);
        await(() -> store.webhooks().pending() == 0, Duration.ofSeconds(5));
    }

    @Test
    void nothingIsLostWhileTheReceiverIsDown() throws Exception {
        receiver.stop();
        emit(20, "down");
        webhooks.flush();
        Thread.sleep(1_500); // several failed attempts with backoff
        assertThat(receiver.received()).isEmpty();
        assertThat(registry.counter("chorus.webhook.deliveries", "outcome", "retry").count()).isGreaterThan(0);
        receiver.restart();
        await(() -> receiver.accepted().size() == 20, Duration.ofSeconds(20));
        assertThat(acceptedSeqs()).containsExactlyElementsOf(range(20));
    }

    @Test
    void queuedEventsSurviveARestartOfTheSender() throws Exception {
        receiver.stop();
        emit(10, "restart");
        webhooks.close();
        store.close();
        store = SqliteStore.open(dir.resolve("chorus.db"));
        assertThat(store.webhooks().pending()).isEqualTo(10);
        receiver.restart();
        webhooks = open(true, 10_000, FAST);
        await(() -> receiver.accepted().size() == 10, Duration.ofSeconds(20));
        assertThat(acceptedSeqs()).containsExactlyElementsOf(range(10));
    }

    @Test
    void theQueueIsBoundedPerEndpoint() throws Exception {
        webhooks.close();
        receiver.stop();
        webhooks = open(true, 5, FAST);
        emit(8, "full");
        webhooks.flush();
        assertThat(store.webhooks().pending()).isEqualTo(5);
        assertThat(registry.counter("chorus.webhook.deliveries", "outcome", "queue_full").count()).isEqualTo(3);
        receiver.restart();
        await(() -> receiver.accepted().size() == 5, Duration.ofSeconds(20));
        assertThat(acceptedSeqs()).containsExactlyElementsOf(range(5)); // the oldest are kept, in order
    }

    @Test
    void aPrivateDestinationIsNeverContactedUnlessAllowed() throws Exception {
        webhooks.close();
        webhooks = open(false, 10_000, FAST);
        emit(1, "ssrf");
        webhooks.flush();
        await(() -> registry.counter("chorus.webhook.deliveries", "outcome", "retry").count() >= 2,
                Duration.ofSeconds(10));
        assertThat(receiver.received()).isEmpty();
        assertThat(WebhookDispatcher.refusedDestination("169.254.169.254")).contains("not public");
        assertThat(WebhookDispatcher.refusedDestination("10.1.2.3")).contains("not public");
        assertThat(WebhookDispatcher.refusedDestination("::ffff:127.0.0.1")).contains("not public");
        assertThat(WebhookDispatcher.refusedDestination("fd00::1")).contains("not public");
        assertThat(WebhookDispatcher.refusedDestination("192.0.2.10")).isNull(); // documentation range: public
    }

    @Test
    void anEventOlderThanTheMaximumAgeIsDroppedNotRetriedForever() throws Exception {
        webhooks.close();
        receiver.stop();
        webhooks = open(true, 10_000, new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(100),
                Duration.ofMillis(300)));
        emit(1, "old");
        webhooks.flush();
        await(() -> registry.counter("chorus.webhook.deliveries", "outcome", "expired").count() == 1,
                Duration.ofSeconds(10));
        assertThat(store.webhooks().pending()).isZero();
    }

    @Test
    void anEndpointReceivesOnlyTheEventsItAskedFor() throws Exception {
        store.webhooks().removeEndpoint("acme", "wh_1");
        store.webhooks().addEndpoint(new WebhookEndpoint("wh_2", "acme", receiver.url(), SECRET,
                Set.of(WebhookEventType.ROOM_STARTED), Instant.now()));
        emit(3, "filtered");
        webhooks.emit("acme", WebhookEventType.ROOM_STARTED, WebhookActor.SYSTEM, Map.of("room", "filtered"));
        await(() -> receiver.accepted().size() == 1, Duration.ofSeconds(20));
        Thread.sleep(300);
        assertThat(receiver.accepted()).singleElement()
                .satisfies(r -> assertThat(r.body()).contains("\"type\":\"room.started\""));
    }
}
