package dev.chorus.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stop the server running on the data dir (through its local control channel) and wait until "
                + "it has released the data dir.", "Exit code 0 when it stopped (or none ran), 1 when it did not stop in time."})
final class StopCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;
    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        ChorusConfig cfg = options.load();
        Duration wait = Durations.parse(timeout);
        if (LocalControl.serverOnly(cfg, "stop") == null) {
            spec.commandLine().getOut().println("not running");
            return Main.OK;
        }
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            DataDir.Lock lock = DataDir.tryLock(dir);
            if (lock != null) {
                lock.close();
                spec.commandLine().getOut().println("stopped");
                return Main.OK;
            }
            Thread.sleep(100);
        }
        spec.commandLine().getErr().println("chorus: the server did not stop within " + timeout);
        return Main.FAILURE;
    }
}
