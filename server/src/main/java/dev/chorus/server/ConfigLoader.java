package dev.chorus.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads the configuration: built-in defaults, then the YAML file (if any), then environment variables, then
 * validation. Unknown keys are errors (a typo must not silently fall back to a default). Every problem is collected
 * and reported at once.
 *
 * <p>Environment rule: {@code CHORUS_} + the key path, each camelCase word upper-cased and joined with {@code _}:
 * {@code http.port} → {@code CHORUS_HTTP_PORT}, {@code http.tls.certFile} → {@code CHORUS_HTTP_TLS_CERT_FILE},
 * {@code ws.maxFrameBytes} → {@code CHORUS_WS_MAX_FRAME_BYTES}. Lists are comma-separated.
 */
public final class ConfigLoader {
    static final ObjectMapper MAPPER = buildMapper();

    private ConfigLoader() {}

    private static ObjectMapper buildMapper() {
        YAMLFactory f = YAMLFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(64 * 1024).build())
                .build();
        return YAMLMapper.builder(f)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    /** @param file the YAML file, or null for defaults + environment only */
    public static ChorusConfig load(Path file, Map<String, String> env) throws ConfigException {
        List<String> problems = new ArrayList<>();
        ObjectNode tree = MAPPER.valueToTree(ChorusConfig.defaults());
        ObjectNode schema = tree.deepCopy();
        if (file != null) {
            JsonNode fromFile = readFile(file, problems);
            if (fromFile != null) merge(tree, fromFile, "", problems);
        }
        applyEnv(tree, schema, "", env);
        if (!problems.isEmpty()) throw new ConfigException(problems);
        ChorusConfig cfg;
        try {
            cfg = MAPPER.treeToValue(tree, ChorusConfig.class);
        } catch (JsonMappingException e) {
            throw new ConfigException("key '" + path(e) + "': " + shortReason(e));
        } catch (JacksonException e) {
            throw new ConfigException("configuration could not be read: " + e.getOriginalMessage());
        }
        ConfigValidator.validate(cfg, problems);
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return cfg;
    }

    /** The environment variable that overrides a dotted key path. */
    public static String envName(String dottedPath) {
        StringBuilder sb = new StringBuilder("CHORUS");
        for (String seg : dottedPath.split("\\.")) {
            sb.append('_').append(seg.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return sb.toString();
    }

    private static JsonNode readFile(Path file, List<String> problems) {
        if (!Files.isRegularFile(file)) {
            problems.add("config file " + file + " does not exist or is not a regular file");
            return null;
        }
        if (!Files.isReadable(file)) {
            problems.add("config file " + file + " is not readable (check its permissions)");
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(file.toFile());
            if (n == null || n.isMissingNode() || n.isNull()) return JsonNodeFactory.instance.objectNode();
            if (!n.isObject()) {
                problems.add("config file " + file + ": the top level must be a mapping of keys");
                return null;
            }
            return n;
        } catch (JacksonException e) {
            var loc = e.getLocation();
            problems.add("config file " + file + " is not valid YAML"
                    + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : "")
                    + ": " + e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            problems.add("config file " + file + " cannot be read: " + e.getMessage());
            return null;
        }
    }

    private static void merge(ObjectNode target, JsonNode src, String prefix, List<String> problems) {
        for (Map.Entry<String, JsonNode> e : src.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode existing = target.get(e.getKey());
            if (existing == null) {
                List<String> known = new ArrayList<>();
                target.fieldNames().forEachRemaining(known::add);
                problems.add("unknown key '" + key + "'" + (known.isEmpty() ? "" : " (known keys"
                        + (prefix.isEmpty() ? "" : " in '" + prefix + "'") + ": " + String.join(", ", known) + ")"));
                continue;
            }
            JsonNode v = e.getValue();
            if (existing.isObject()) {
                if (v.isObject()) merge((ObjectNode) existing, v, key, problems);
                else if (!v.isNull()) problems.add("key '" + key + "' must be a mapping");
            } else if (existing.isArray() && !v.isArray() && !v.isNull()) {
                problems.add("key '" + key + "' must be a list");
            } else if (!existing.isArray() && !existing.isNull() && (v.isObject() || v.isArray())) {
                problems.add("key '" + key + "' must be a single value");
            } else {
                target.set(e.getKey(), v.isNull() && existing.isArray() ? JsonNodeFactory.instance.arrayNode() : v);
            }
        }
    }

    private static void applyEnv(ObjectNode tree, ObjectNode schema, String prefix, Map<String, String> env) {
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                applyEnv((ObjectNode) tree.get(e.getKey()), (ObjectNode) e.getValue(), key, env);
                continue;
            }
            String value = env.get(envName(key));
            if (value == null) continue;
            if (e.getValue().isArray()) {
                ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                for (String part : value.split(",")) if (!part.isBlank()) arr.add(part.trim());
                tree.set(e.getKey(), arr);
            } else {
                tree.set(e.getKey(), new TextNode(value));
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (!sb.isEmpty()) sb.append('.');
            sb.append(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return sb.toString();
    }

    private static String shortReason(JsonMappingException e) {
        String m = e.getOriginalMessage();
        if (m == null) return "invalid value";
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
