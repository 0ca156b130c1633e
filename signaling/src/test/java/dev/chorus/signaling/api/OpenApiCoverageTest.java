package dev.chorus.signaling.api;

import dev.chorus.signaling.http.HealthRoutes;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.metrics.ChorusMetrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/openapi.yaml describes exactly the routes the server registers (method, path template, access). */
class OpenApiCoverageTest {
    /** Paths are the 2-space-indented keys under "paths:", operations the 4-space-indented method keys. */
    static final String PATH_OR_OPERATION = "(?m)^  (/\\S*):\\s*$|^    (get|post|put|delete|patch):";

    @Test
    void everyRegisteredRouteIsDocumentedAndNothingElse() throws Exception {
        Set<String> documented = documented(PATH_OR_OPERATION);
        documented.remove("GET /v1/ws"); // the WebSocket upgrade is not a router route
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routes().routes());
    }

    /** Each operation's {@code x-chorus-access} is the access the route enforces (a scope, operator or public). */
    @Test
    void everyOperationNamesTheAccessItsRouteEnforces() throws Exception {
        Set<String> documented = documented(PATH_OR_OPERATION + "\\s*\\n      x-chorus-access: (\\S+)");
        assertThat(documented).containsExactlyInAnyOrderElementsOf(routes().table().stream()
                .map(e -> e.method() + " " + e.template() + " " + e.access()).toList());
    }

    /** The routes of the edge (health, backend API, admin API). */
    static Router routes() {
        Router router = new Router();
        try (ChorusMetrics m = new ChorusMetrics(false)) {
            HealthRoutes.register(router, m, List.of());
        }
        BackendApi.register(router, null, null);
        AdminApi.register(router, null);
        MediaViewApi.register(router, null, null);
        return router;
    }

    /** "METHOD /path" (plus " " + group 3 when the pattern has one) of every operation the spec documents. */
    static Set<String> documented(String pattern) throws Exception {
        String spec = Files.readString(Path.of("../docs/openapi.yaml"));
        String paths = spec.substring(spec.indexOf("\npaths:"), spec.indexOf("\ncomponents:"));
        Matcher pm = Pattern.compile(pattern).matcher(paths);
        String current = null;
        Set<String> documented = new TreeSet<>();
        while (pm.find()) {
            if (pm.group(1) != null) current = pm.group(1);
            else documented.add(pm.group(2).toUpperCase(Locale.ROOT) + " " + current
                    + (pm.groupCount() >= 3 ? " " + pm.group(3) : ""));
        }
        return documented;
    }
}
