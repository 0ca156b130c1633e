package dev.chorus.server.interop;

import dev.chorus.common.testing.RequiredTool;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the interop clients live and how a test requires the stack it runs (missing: skip locally, fail under CI). */
final class Stacks {
    private Stacks() {}

    /** The repository's {@code interop/} directory (Node and Python clients, recorded media, package-lock.json). */
    static final Path INTEROP_DIR = findInteropDir();
    static final Path NODE = Path.of("/usr/bin/node");
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private static Path findInteropDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("interop/package.json"))) return p.resolve("interop");
        }
        return Path.of("interop").toAbsolutePath();
    }

    /** Debian's Python 3 with the given packages (checked by importing them, as the client will). */
    static void requirePythonModules(String debianPackages, String... modules) {
        boolean ok = Files.isExecutable(PYTHON);
        if (ok) {
            try {
                Interop.run(java.util.List.of(PYTHON.toString(), "-c", "import " + String.join(", ", modules)),
                        java.util.Map.of(), 30);
            } catch (java.io.IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
        }
        RequiredTool.require(ok, "python3 with " + String.join(", ", modules) + " (apt-get install " + debianPackages + ")");
    }

    /** Node and an npm package installed from interop/package-lock.json ({@code npm ci} in .ci/run). */
    static void requireNodePackage(String module) {
        RequiredTool.require(Files.isExecutable(NODE) && Files.isDirectory(INTEROP_DIR.resolve("node_modules").resolve(module)),
                "node and the npm package " + module + " (cd interop && npm ci)");
    }
}
