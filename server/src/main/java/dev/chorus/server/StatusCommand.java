package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Whether a server runs on the data dir, and what it serves (asked through its local control "
                + "channel, the 0600 socket control.sock in the data dir).",
                "Exit code 0 when running, 3 when stopped."})
final class StatusCommand implements Callable<Integer> {
    static final int STOPPED = 3;

    @Mixin ConfigOptions options;
    @Spec CommandSpec spec;
    @Option(names = "--json", description = "Print JSON.") boolean json;

    @Override
    public Integer call() throws Exception {
        ChorusConfig cfg = options.load();
        JsonNode status = LocalControl.serverOnly(cfg, "status");
        PrintWriter out = spec.commandLine().getOut();
        if (status == null) status = AdminOperations.JSON.valueToTree(LocalControl.stoppedStatus(cfg));
        if (json) {
            out.println(CliOps.pretty(status));
        } else {
            status.fields().forEachRemaining(e -> out.printf("%-20s %s%n", e.getKey() + ":", e.getValue().asText()));
        }
        out.flush();
        return "running".equals(status.path("state").asText()) ? Main.OK : STOPPED;
    }
}
