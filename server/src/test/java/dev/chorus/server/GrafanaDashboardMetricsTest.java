package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.media.transport.NettyLeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric the provisioned Grafana dashboard (docker/grafana/dashboards/chorus.json) queries exists on a live
 * server after a little traffic: a renamed or removed metric cannot leave an empty panel behind.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(NettyLeakGuard.class)
class GrafanaDashboardMetricsTest {
    static final Path DASHBOARD = Path.of("../docker/grafana/dashboards/chorus.json");
    /** Series names in PromQL: our families all start with one of these prefixes. */
    static final Pattern METRIC = Pattern.compile("\\b((?:chorus|jvm|process|system)_[a-zA-Z0-9_]+)");

    @TempDir Path tmp;

    @Test
    void everyMetricTheDashboardQueriesIsExposedByALiveServer() throws Exception {
        List<String> expressions = new ArrayList<>();
        collectExpressions(new ObjectMapper().readTree(DASHBOARD.toFile()), expressions);
        Set<String> names = new TreeSet<>();
        for (String e : expressions) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) names.add(m.group(1));
        }
        assertThat(expressions).as("dashboard expressions").hasSizeGreaterThan(10);
        assertThat(names).as("metric names").contains("chorus_sfu_rooms_open", "chorus_turn_allocations",
                "chorus_joins_refused_total", "jvm_gc_pause_seconds_sum");

        try (LiveMetricsServer live = LiveMetricsServer.startWithTraffic(tmp)) {
            System.gc(); // the server runs in this JVM: a collection makes the GC pause timer exist, as in production
            Thread.sleep(200); // the GC notification is delivered asynchronously
            String exposition = live.scrape();
            Set<String> exposed = new TreeSet<>();
            Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(exposition);
            while (m.find()) exposed.add(m.group(1));
            assertThat(exposed).as("series on the live server").containsAll(names);
        }
    }

    private static void collectExpressions(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.properties().forEach(e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) out.add(e.getValue().textValue());
                else collectExpressions(e.getValue(), out);
            });
        } else if (n.isArray()) {
            n.forEach(c -> collectExpressions(c, out));
        }
    }
}
