package dev.chorus.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.admin.ProjectSettings;
import dev.chorus.signaling.api.BackendApi;
import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.project.ApiScope;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's commands on a control plane, by name, with JSON arguments and a JSON-ready result: the one
 * implementation behind {@code chorus admin|projects|keys …}, whether the CLI opened the data dir itself (server
 * stopped) or the running server executes them for it over the local control channel. Results are maps and
 * lists of plain values; failures are {@link ServiceException}s with the services' stable codes.
 */
final class AdminOperations {
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private AdminOperations() {}

    static Object execute(ControlPlane c, ProjectAdminService.Actor actor, String op, JsonNode args) {
        ObjectNode a = args instanceof ObjectNode o ? o : JSON.createObjectNode();
        return switch (op) {
            case "admin.init" -> {
                c.projects().initOperator(actor, text(a, "secret"), a.path("replace").asBoolean(false));
                yield Map.of("operator", "initialized");
            }
            case "projects.list" -> c.projects().list();
            case "projects.show" -> c.projects().show(actor, text(a, "id"));
            case "projects.create" -> c.projects().create(actor, text(a, "id"), settings(a));
            case "projects.update" -> c.projects().update(actor, text(a, "id"), settings(a));
            case "projects.delete" -> {
                c.projects().delete(actor, text(a, "id"));
                yield Map.of("deleted", text(a, "id"));
            }
            case "keys.list" -> c.projects().keys(actor, text(a, "project")).stream().map(BackendApi::key).toList();
            case "keys.create" -> BackendApi.created(c.projects().createKey(actor, text(a, "project"),
                    KeyAlgorithm.fromJwtName(text(a, "algorithm")).orElseThrow(() -> new ServiceException(
                            ServiceError.INVALID_REQUEST, "--algorithm must be HS256, ES256 or EdDSA")),
                    a.hasNonNull("publicKeyPem") ? a.get("publicKeyPem").asText() : null, scopes(a)));
            case "keys.retire" -> BackendApi.key(c.keys().retire(operator(actor, a), text(a, "kid"), actor.source()));
            case "keys.revoke" -> BackendApi.key(c.keys().revoke(operator(actor, a), text(a, "kid"), actor.source()));
            default -> throw new ServiceException(ServiceError.INVALID_REQUEST, "unknown operation " + op);
        };
    }

    private static BackendPrincipal operator(ProjectAdminService.Actor actor, ObjectNode a) {
        return ProjectAdminService.principal(actor, text(a, "project"));
    }

    private static String text(ObjectNode a, String field) {
        JsonNode n = a.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, field + " is required");
        }
        return n.asText();
    }

    private static Set<ApiScope> scopes(ObjectNode a) {
        try {
            return ApiScope.parse(a.path("scopes").asText(""));
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, e.getMessage() + " (API scopes: "
                    + ApiScope.toWire(ApiScope.all()) + ")");
        }
    }

    private static ProjectSettings settings(ObjectNode a) {
        ObjectNode s = a.path("settings") instanceof ObjectNode o ? o : JSON.createObjectNode();
        try {
            return JSON.treeToValue(s, ProjectSettings.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new ServiceException(ServiceError.INVALID_REQUEST, "invalid project settings");
        }
    }

    /** Settings as the CLI collects them (nulls dropped), for {@code args.settings}. */
    static ObjectNode settingsNode(ProjectSettings s) {
        ObjectNode n = JSON.valueToTree(s);
        List<String> nulls = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(f -> { if (n.get(f).isNull()) nulls.add(f); });
        n.remove(nulls);
        return n;
    }
}
