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
                + "it has released the data dir and its process has exited.", "Exit code 0 when it stopped (or none ran), 1 when it did not stop in time."})
final class StopCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;
    @Option(names = "--timeout", defaultValue = "30s", description = "How long to wait (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        ChorusConfig cfg = options.load();
        Duration wait = Durations.parse(timeout);
        com.fasterxml.jackson.databind.JsonNode status = LocalControl.serverOnly(cfg, "status");
        if (status == null || LocalControl.serverOnly(cfg, "stop") == null) {
            spec.commandLine().getOut().println("not running");
            return Main.OK;
        }
        // the server process (when it is another process): wait for it to exit, not only to release the data dir
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(status.path("pid").asLong(-1))
                .filter(p -> p.pid() != ProcessHandle.current().pid());
        Path dir = Path.of(cfg.dataDir()).toAbsolutePath().normalize();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            DataDir.Lock lock = DataDir.tryLock(dir);
            if (lock != null) {
                lock.close();
                if (process.map(ProcessHandle::isAlive).orElse(false)) {
                    Thread.sleep(100); // released the data dir, still finishing its exit
                    continue;
                }
                spec.commandLine().getOut().println("stopped");
                return Main.OK;
            }
            Thread.sleep(100); // polling another process; no callback to wait on
        }
        spec.commandLine().getErr().println("chorus: the server did not stop within " + timeout);
        return Main.FAILURE;
    }
}
