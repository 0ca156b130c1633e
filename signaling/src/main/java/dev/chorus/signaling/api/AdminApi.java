package dev.chorus.signaling.api;

import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.admin.ProjectSettings;
import dev.chorus.signaling.auth.BackendAuthException;
import dev.chorus.signaling.http.ApiError;
import dev.chorus.signaling.http.HttpRequestContext;
import dev.chorus.signaling.http.HttpResult;
import dev.chorus.signaling.http.RouteHandler;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ServiceException;

import java.util.Map;
import java.util.function.BiFunction;

/**
 * The operator's HTTP API ({@code /v1/admin/…}): projects and their keys. Authenticated by the operator credential
 * ({@code Basic operator:<secret>}), never by a project key; the body is read only after authentication. Every
 * change is audited by {@link ProjectAdminService} with actor {@value #ACTOR} and the caller's address.
 */
public final class AdminApi {
    public static final String ACTOR = "operator";

    private final ControlPlane control;

    private AdminApi(ControlPlane control) {
        this.control = control;
    }

    public static void register(Router router, ControlPlane control) {
        AdminApi api = new AdminApi(control);
        api.route(router, "GET", "/v1/admin/projects", api::list);
        api.route(router, "POST", "/v1/admin/projects", api::create);
        api.route(router, "GET", "/v1/admin/projects/{project}", api::show);
        api.route(router, "PATCH", "/v1/admin/projects/{project}", api::update);
        api.route(router, "DELETE", "/v1/admin/projects/{project}", api::delete);
        api.route(router, "GET", "/v1/admin/projects/{project}/keys", api::listKeys);
        api.route(router, "POST", "/v1/admin/projects/{project}/keys", api::createKey);
    }

    private void route(Router router, String method, String template,
                       BiFunction<ProjectAdminService.Actor, HttpRequestContext, HttpResult> h) {
        router.add(method, template, Router.OPERATOR, operator(h));
    }

    private RouteHandler operator(BiFunction<ProjectAdminService.Actor, HttpRequestContext, HttpResult> h) {
        return operator(control, h);
    }

    /** A handler that runs only for the operator credential (401/429 otherwise), for the API classes beside this one. */
    static RouteHandler operator(ControlPlane control,
                                 BiFunction<ProjectAdminService.Actor, HttpRequestContext, HttpResult> h) {
        return req -> {
            try {
                control.operatorAuth().authenticate(req.header("Authorization"), req.sourceIp());
            } catch (BackendAuthException e) {
                return BackendApi.unauthenticated(e);
            }
            try {
                return h.apply(new ProjectAdminService.Actor(ACTOR, req.sourceIp()), req);
            } catch (ServiceException e) {
                return HttpResult.error(e.error().httpStatus(), e.error().code(), e.getMessage());
            }
        };
    }

    private HttpResult list(ProjectAdminService.Actor actor, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("projects", control.projects().list()));
    }

    private HttpResult create(ProjectAdminService.Actor actor, HttpRequestContext req) {
        ApiBodies.ProjectBody b = JsonBodyReader.read(req, ApiBodies.ProjectBody.class, false);
        if (b.id() == null || b.id().isEmpty()) throw ApiError.badRequest("invalid_field", "Field \"id\" is required.");
        return HttpResult.json(201, control.projects().create(actor, b.id(), settings(b)));
    }

    private HttpResult show(ProjectAdminService.Actor actor, HttpRequestContext req) {
        return HttpResult.json(200, control.projects().show(actor, req.pathParam("project")));
    }

    private HttpResult update(ProjectAdminService.Actor actor, HttpRequestContext req) {
        ApiBodies.ProjectBody b = JsonBodyReader.read(req, ApiBodies.ProjectBody.class, false);
        if (b.id() != null) throw ApiError.badRequest("invalid_field", "A project's id cannot be changed.");
        return HttpResult.json(200, control.projects().update(actor, req.pathParam("project"), settings(b)));
    }

    private HttpResult delete(ProjectAdminService.Actor actor, HttpRequestContext req) {
        control.projects().delete(actor, req.pathParam("project"));
        return HttpResult.json(200, Map.of("deleted", req.pathParam("project")));
    }

    private HttpResult listKeys(ProjectAdminService.Actor actor, HttpRequestContext req) {
        return HttpResult.json(200, Map.of("keys", control.projects().keys(actor, req.pathParam("project")).stream()
                .map(BackendApi::key).toList()));
    }

    private HttpResult createKey(ProjectAdminService.Actor actor, HttpRequestContext req) {
        ApiBodies.CreateKey b = JsonBodyReader.read(req, ApiBodies.CreateKey.class, false);
        if (b.algorithm() == null) throw ApiError.badRequest("invalid_field", "Field \"algorithm\" is required.");
        KeyAlgorithm alg = KeyAlgorithm.fromJwtName(b.algorithm()).orElseThrow(() -> ApiError.badRequest(
                "invalid_field", "algorithm must be one of HS256, ES256, EdDSA."));
        return HttpResult.json(201, BackendApi.created(control.projects().createKey(actor, req.pathParam("project"),
                alg, b.publicKeyPem(), BackendApi.apiScopes(b.scopes()))));
    }

    private static ProjectSettings settings(ApiBodies.ProjectBody b) {
        return new ProjectSettings(b.name(), b.scopeCeiling(), b.maxTokenTtlSeconds(), b.aclMode(),
                b.allowPiiIdentities(), b.maxRooms(), b.maxParticipantsPerRoom(), b.hs256JoinTokens(),
                b.autoCreateRooms());
    }
}
