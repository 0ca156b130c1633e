package dev.chorus.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.function.BiConsumer;

/**
 * Runs an operator command for the CLI ({@link LocalControl#execute}: offline or through the running server) and
 * prints its result: as JSON with {@code --json} (for scripts), else as text. A refusal prints
 * {@code chorus: <code>: <message>} and exits 1.
 */
final class CliOps {
    private CliOps() {}

    static ObjectNode args() {
        return AdminOperations.JSON.createObjectNode();
    }

    static int run(CommandSpec spec, ConfigOptions options, String op, ObjectNode args, boolean json,
                   BiConsumer<PrintWriter, JsonNode> human) throws Exception {
        return run(spec, options, op, args, json, false, human);
    }

    static int run(CommandSpec spec, ConfigOptions options, String op, ObjectNode args, boolean json, boolean create,
                   BiConsumer<PrintWriter, JsonNode> human) throws Exception {
        JsonNode result;
        try {
            result = LocalControl.execute(options.load(), op, args, create);
        } catch (dev.chorus.signaling.project.ServiceException | LocalControl.RemoteRefusal e) {
            spec.commandLine().getErr().println("chorus: " + LocalControl.describe(e));
            spec.commandLine().getErr().flush();
            return Main.FAILURE;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(pretty(result));
        else human.accept(out, result);
        out.flush();
        return Main.OK;
    }

    static String pretty(JsonNode n) throws JsonProcessingException {
        return AdminOperations.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    }
}
