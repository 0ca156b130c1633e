package dev.chorus.server;

import dev.chorus.signaling.admin.ProjectAdminService;
import dev.chorus.signaling.project.ControlPlane;
import dev.chorus.signaling.project.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the operator secret comes from: a file ({@code --secret-file} or {@value #FILE_ENV}, the way container
 * secrets are mounted) or, less preferably, the variable {@value #VALUE_ENV}. It is never taken from a command-line
 * argument (other users could read it in the process list), never printed and never logged.
 */
final class OperatorSecret {
    static final String FILE_ENV = "CHORUS_ADMIN_SECRET_FILE";
    static final String VALUE_ENV = "CHORUS_ADMIN_SECRET";
    private static final Logger log = LoggerFactory.getLogger(OperatorSecret.class);

    private OperatorSecret() {}

    /** The secret from {@code file}, else from the environment, else null. */
    static String read(Path file, Map<String, String> env) throws ConfigException {
        if (file != null) return fromFile(file, "--secret-file");
        return fromEnvironment(env);
    }

    static String fromEnvironment(Map<String, String> env) throws ConfigException {
        String f = env.get(FILE_ENV);
        if (f != null && !f.isBlank()) return fromFile(Path.of(f), FILE_ENV);
        String v = env.get(VALUE_ENV);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String fromFile(Path file, String origin) throws ConfigException {
        try {
            if (Files.size(file) > 4096) throw new ConfigException(origin + ": " + file + " is too large for a secret");
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(origin + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * First production start: sets the operator credential from {@code secret} when none exists yet. An existing
     * credential is kept (change it with {@code chorus admin init --replace}).
     */
    static void initOnFirstStart(ControlPlane control, String secret) throws ConfigException {
        if (control.projects().operatorInitialized()) {
            if (secret != null) log.info("event=operator_secret_ignored reason=operator_already_initialized");
            return;
        }
        if (secret == null) {
            log.warn("event=operator_not_initialized hint=\"the admin API refuses every call until `chorus admin init`"
                    + " (or a start with {} set)\"", FILE_ENV);
            return;
        }
        try {
            control.projects().initOperator(new ProjectAdminService.Actor("chorus", "first-start"), secret, false);
        } catch (ServiceException e) {
            throw new ConfigException("operator secret (" + FILE_ENV + "/" + VALUE_ENV + "): " + e.getMessage());
        }
        log.info("event=operator_initialized via=environment");
    }
}
