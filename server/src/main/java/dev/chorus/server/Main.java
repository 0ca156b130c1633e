package dev.chorus.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code chorus} command line ({@code ./chorus} runs it). Exit codes: 0 success, 1 failure
 * (e.g. a broken audit chain, a refused operation), 2 usage or configuration error.
 */
@Command(name = "chorus", mixinStandardHelpOptions = true, version = "chorus 0.1.0",
        description = "Chorus: a self-hosted WebRTC SFU (media plane, control plane, TURN relay).",
        subcommands = {StartCommand.class, StatusCommand.class, StopCommand.class, AdminCommand.class,
                ProjectsCommand.class, KeysCommand.class, TokenCommand.class, AuditCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        NettyLeakDetection.applyForProduction();
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Same, writing to the given streams (null: standard out / err). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> e instanceof ConfigException || e instanceof CommandLine.ParameterException
                ? USAGE : FAILURE);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CommandLine.ParameterException pe) {
                cmd.getErr().println("chorus: " + pe.getMessage());
                cmd.getErr().flush();
                return USAGE;
            }
            if (e instanceof ConfigException ce) {
                cmd.getErr().println("chorus: configuration error:");
                for (String p : ce.problems()) cmd.getErr().println("  - " + p);
                cmd.getErr().flush();
                return USAGE;
            }
            cmd.getErr().println("chorus: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            cmd.getErr().flush();
            return FAILURE;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
