package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.admin.ProjectSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "projects", mixinStandardHelpOptions = true,
        description = {"Projects (tenants) on this host: list, show, create, update, delete. Works on the data dir "
                + "while the server is stopped, and through the running server's local control channel while it "
                + "runs. Every change is audited (actor local-cli). Remote operators use /v1/admin/projects.",
                "--json prints the result as JSON for scripts."},
        subcommands = {ProjectsCommand.ListProjects.class, ProjectsCommand.Show.class, ProjectsCommand.Create.class,
                ProjectsCommand.Update.class, ProjectsCommand.Delete.class})
final class ProjectsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Output {
        @Mixin ConfigOptions options;
        @Option(names = "--json", description = "Print JSON.") boolean json;
    }

    /** The settings options of create and update; unset options leave a setting as it is (or at its default). */
    static final class SettingsOptions {
        @Spec(Spec.Target.MIXEE) CommandSpec command;
        @Option(names = "--name", description = "Display name.") String name;
        @Option(names = "--scope-ceiling", split = ",", paramLabel = "SCOPE",
                description = "The most a join token of the project may grant (comma-separated, e.g. "
                        + "room:join,media:subscribe).") List<String> scopeCeiling;
        @Option(names = "--max-token-ttl", paramLabel = "DURATION",
                description = "Longest join-token lifetime (e.g. 10m, 1h; at most 24h).") String maxTokenTtl;
        @Option(names = "--acl-mode", paramLabel = "on|off", description = "ACL mode (docs/live-authorization.md).")
        String aclMode;
        @Option(names = "--allow-pii", arity = "1", paramLabel = "true|false",
                description = "Opt out of the PII guard (identities that look like e-mail addresses or phone numbers).")
        Boolean allowPii;
        @Option(names = "--max-rooms", paramLabel = "N", description = "Open rooms at most.") Integer maxRooms;
        @Option(names = "--max-participants", paramLabel = "N", description = "Participants per room at most.")
        Integer maxParticipants;
        @Option(names = "--hs256-join-tokens", arity = "1", paramLabel = "true|false",
                description = "Whether an HS256 API key may mint join tokens (POST /v1/tokens).") Boolean hs256;
        @Option(names = "--auto-create-rooms", arity = "1", paramLabel = "true|false",
                description = "Whether a valid join creates a room that has no record yet.") Boolean autoCreate;

        ProjectSettings settings() {
            Boolean acl = aclMode == null ? null : switch (aclMode) {
                case "on", "true" -> Boolean.TRUE;
                case "off", "false" -> Boolean.FALSE;
                default -> throw new picocli.CommandLine.ParameterException(command.commandLine(),
                        "--acl-mode must be on or off");
            };
            Long ttl = maxTokenTtl == null ? null : Durations.parse(maxTokenTtl).toSeconds();
            return new ProjectSettings(name, scopeCeiling, ttl, acl, allowPii, maxRooms, maxParticipants, hs256,
                    autoCreate);
        }
    }

    static void printProject(PrintWriter out, JsonNode p) {
        p.fields().forEachRemaining(e -> out.printf("%-24s %s%n", e.getKey() + ":", e.getValue().isArray()
                ? String.join(" ", toList(e.getValue())) : e.getValue().asText()));
    }

    static List<String> toList(JsonNode array) {
        List<String> l = new java.util.ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the projects.")
    static final class ListProjects implements Callable<Integer> {
        @Mixin Output o;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return CliOps.run(spec, o.options, "projects.list", CliOps.args(), o.json, (out, r) -> {
                out.printf("%-24s %-8s %-10s %-8s %s%n", "ID", "ACL", "MAX-ROOMS", "PER-ROOM", "TOKEN-TTL");
                r.forEach(p -> out.printf("%-24s %-8s %-10s %-8s %ss%n", p.path("id").asText(),
                        p.path("aclMode").asBoolean() ? "on" : "off", p.path("maxRooms").asText(),
                        p.path("maxParticipantsPerRoom").asText(), p.path("maxTokenTtlSeconds").asText()));
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one project.")
    static final class Show implements Callable<Integer> {
        @Mixin Output o;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROJECT") String id;

        @Override
        public Integer call() throws Exception {
            return CliOps.run(spec, o.options, "projects.show", CliOps.args().put("id", id), o.json,
                    ProjectsCommand::printProject);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a project (defaults: every scope, 1h token TTL cap, ACL mode on, PII guard on, 100 "
                    + "rooms of 50, ES256/EdDSA join tokens only, rooms created by the backend). Then create its "
                    + "first key: chorus keys create --project ID ...")
    static final class Create implements Callable<Integer> {
        @Mixin Output o;
        @Mixin SettingsOptions s;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROJECT", description = "Project id: lower-case letters, digits, '-', '_'.") String id;

        @Override
        public Integer call() throws Exception {
            ObjectNode args = CliOps.args().put("id", id);
            args.set("settings", AdminOperations.settingsNode(s.settings()));
            return CliOps.run(spec, o.options, "projects.create", args, o.json, ProjectsCommand::printProject);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a project's settings (only the "
            + "options given change).")
    static final class Update implements Callable<Integer> {
        @Mixin Output o;
        @Mixin SettingsOptions s;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROJECT") String id;

        @Override
        public Integer call() throws Exception {
            ObjectNode args = CliOps.args().put("id", id);
            args.set("settings", AdminOperations.settingsNode(s.settings()));
            return CliOps.run(spec, o.options, "projects.update", args, o.json, ProjectsCommand::printProject);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a project with its keys, rooms and records (sessions of a running server are closed).")
    static final class Delete implements Callable<Integer> {
        @Mixin Output o;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "PROJECT") String id;
        @Option(names = "--yes", required = true, description = "Confirm: this cannot be undone.") boolean yes;

        @Override
        public Integer call() throws Exception {
            return CliOps.run(spec, o.options, "projects.delete", CliOps.args().put("id", id), o.json,
                    (out, r) -> out.println("deleted " + id));
        }
    }

}
