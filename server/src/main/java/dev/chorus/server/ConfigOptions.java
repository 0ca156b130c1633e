package dev.chorus.server;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** {@code --config FILE} and {@code --data-dir DIR}, shared by the commands that need the configuration. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file (default: none, i.e. dev mode with built-in defaults).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (overrides 'dataDir' from the file and CHORUS_DATA_DIR).")
    Path dataDir;

    ChorusConfig load() throws ConfigException {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (dataDir != null) env.put(ConfigLoader.envName("dataDir"), dataDir.toString());
        return ConfigLoader.load(config, env);
    }
}
