package dev.chorus.server.interop;

import dev.chorus.media.transport.ChromiumHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Set-up shared by the pairs whose stack skips loopback: a fresh {@link NetworkNamespace}, the real server listening
 * on the namespace link's host address (HTTPS, media UDP, TURN), and Chromium in the root namespace on the server's
 * page. Each test joins Chromium and runs the stack's client script inside the namespace.
 */
abstract class NamespacedStackTest {
    static NetworkNamespace netns;
    static InteropServer server;
    static Browser chromium;

    @BeforeAll
    static void startNamespaceServerAndChromium() throws Exception {
        NetworkNamespace.require();
        ChromiumHarness.require();
        netns = NetworkNamespace.create();
        server = InteropServer.start(netns.hostAddress, Map.of());
        chromium = Browser.of(ChromiumHarness.browse(server.pageUrl()));
    }

    @AfterAll
    static void stopAll() {
        try (AutoCloseable n = netns; AutoCloseable s = server; AutoCloseable c = chromium) {
            // closed in reverse order: browser, server, namespace
        } catch (Exception ignored) {
            // teardown
        }
    }

    /**
     * The stack stays while its only remote publisher leaves (its next subscriber offer has every section inactive)
     * and a new one joins: the stack must get the new publisher's media, and the new browser the stack's.
     */
    static void rejoin(String stack, String room, List<String> clientCommand) throws Exception {
        rejoin(stack, room, clientCommand, client -> { });
    }

    /** As {@link #rejoin(String, String, List)}, checking the stack with {@code afterLeave} once the publisher left. */
    static void rejoin(String stack, String room, List<String> clientCommand,
                       java.util.function.Consumer<StackClient> afterLeave) throws Exception {
        rejoin(stack, room, clientCommand, afterLeave, client -> { });
    }

    /** As {@link #rejoin(String, String, List, java.util.function.Consumer)}, checking {@code afterSecondJoin} first. */
    static void rejoin(String stack, String room, List<String> clientCommand,
                       java.util.function.Consumer<StackClient> afterLeave,
                       java.util.function.Consumer<StackClient> afterSecondJoin) throws Exception {
        String first = PageCalls.join(chromium, room, "chromium-first", "all");
        List<String> command = new ArrayList<>(clientCommand);
        command.addAll(List.of("--base", server.pageUrl(), "--room", room, "--identity", stack + "-user",
                "--policy", "all", "--seconds", "80"));
        try (StackClient client = StackClient.start(stack, netns.exec(command), Map.of())) {
            StackPairs.assertExchange(chromium, client, first);
            PageCalls.leave(chromium);
            // the all-inactive offer reaches the stack (every client script reports its offers with a track count)
            client.awaitLine(10, "offer\"", "\"tracks\":0");
            afterLeave.accept(client);
            String second = PageCalls.join(chromium, room, "chromium-second", "all");
            afterSecondJoin.accept(client);
            StackPairs.assertExchange(chromium, client, second);
        } finally {
            PageCalls.leave(chromium);
        }
    }

    /** Chromium and the stack in {@code room}: each must receive (and Chromium decode) the other's media. */
    static void exchange(String stack, String room, String policy, List<String> clientCommand) throws Exception {
        String browserId = PageCalls.join(chromium, room, "chromium-user", policy);
        List<String> command = new ArrayList<>(clientCommand);
        command.addAll(List.of("--base", server.pageUrl(), "--room", room, "--identity", stack + "-user",
                "--policy", policy, "--seconds", "80"));
        try (StackClient client = StackClient.start(stack, netns.exec(command), Map.of())) {
            StackPairs.assertExchange(chromium, client, browserId);
        } finally {
            PageCalls.leave(chromium);
        }
    }
}
