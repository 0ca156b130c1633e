package dev.chorus.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start the server. Without --config it runs in dev mode: data in ./chorus-data, a generated "
                + "dev project, API key, ES256 key and self-signed TLS certificate, HTTPS on https://localhost:8443.",
                "Exit code 2 when the configuration is invalid (nothing is started)."})
final class StartCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ChorusConfig cfg = options.load();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        ChorusServer server = ChorusServer.start(cfg, out);
        // `chorus stop` (control channel): exit like on SIGTERM, so the shutdown hook below closes everything once
        server.onStopRequest(() -> System.exit(Main.OK));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drainAndClose(); // ws.drainTimeout: clients are told and given time before the close
            stopped.countDown();
        }, "chorus-shutdown"));
        stopped.await();
        return Main.OK;
    }
}
