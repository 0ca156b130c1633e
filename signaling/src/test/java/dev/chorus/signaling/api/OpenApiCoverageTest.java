package dev.chorus.signaling.api;

import dev.chorus.signaling.http.HealthRoutes;
import dev.chorus.signaling.http.Router;
import dev.chorus.signaling.metrics.ChorusMetrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/openapi.yaml describes exactly the routes the server registers (method and path template). */
class OpenApiCoverageTest {
    @Test
    void everyRegisteredRouteIsDocumentedAndNothingElse() throws Exception {
        Router router = new Router();
        try (ChorusMetrics m = new ChorusMetrics(false)) {
            HealthRoutes.register(router, m, List.of());
        }
        BackendApi.register(router, null, null);
        AdminApi.register(router, null);
        String spec = Files.readString(Path.of("../docs/openapi.yaml"));
        // paths are the 2-space-indented keys under "paths:", operations the 4-space-indented method keys
        String paths = spec.substring(spec.indexOf("\npaths:"), spec.indexOf("\ncomponents:"));
        Matcher pm = Pattern.compile("(?m)^  (/\\S*):\\s*$|^    (get|post|put|delete|patch):").matcher(paths);
        String current = null;
        java.util.Set<String> documented = new java.util.TreeSet<>();
        while (pm.find()) {
            if (pm.group(1) != null) current = pm.group(1);
            else documented.add(pm.group(2).toUpperCase(Locale.ROOT) + " " + current);
        }
        documented.remove("GET /v1/ws"); // the WebSocket upgrade is not a router route
        assertThat(documented).containsExactlyInAnyOrderElementsOf(router.routes());
    }

    /** Each operation's {@code x-chorus-access} is the access the route enforces (a scope, operator or public). */
    @Test
    void everyOperationNamesTheAccessItsRouteEnforces() throws Exception {
        Router router = new Router();
        try (ChorusMetrics m = new ChorusMetrics(false)) {
            HealthRoutes.register(router, m, List.of());
        }
        BackendApi.register(router, null, null);
        AdminApi.register(router, null);
        String spec = Files.readString(Path.of("../docs/openapi.yaml"));
        String paths = spec.substring(spec.indexOf("\npaths:"), spec.indexOf("\ncomponents:"));
        Matcher pm = Pattern.compile("(?m)^  (/\\S*):\\s*$|^    (get|post|put|delete|patch):\\s*\\n      x-chorus-access: (\\S+)")
                .matcher(paths);
        String current = null;
        java.util.Set<String> documented = new java.util.TreeSet<>();
        while (pm.find()) {
            if (pm.group(1) != null) current = pm.group(1);
            else documented.add(pm.group(2).toUpperCase(Locale.ROOT) + " " + current + " " + pm.group(3));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(router.table().stream()
                .map(e -> e.method() + " " + e.template() + " " + e.access()).toList());
    }
}
