package dev.chorus.signaling.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.common.testing.RequiredTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser SDK package (sdk/): its TypeScript declarations type-check a sample app with the locked TypeScript
 * ({@code tsc --noEmit}), a misuse of the API does not, everything the module exports or a call offers is declared,
 * its node unit tests pass, and the file the server serves at {@code /sdk/chorus.js} is the package's file itself.
 * Needs node and {@code npm ci} in sdk/ (.ci/run does both).
 */
class SdkPackageTest {
    static final Path SDK = Path.of("..", "sdk").toAbsolutePath().normalize();
    static final Path TSC = SDK.resolve("node_modules/typescript/bin/tsc");
    static Path node;

    @BeforeAll
    static void tools() {
        node = findNode();
        RequiredTool.require(node != null, "node (nodejs)");
        RequiredTool.require(Files.isRegularFile(TSC), "typescript in sdk/node_modules (cd sdk && npm ci)");
    }

    record Run(int exit, String output) {}

    static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished in time: %s", List.of(command)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void theDeclarationsTypeCheckTheSampleApp() throws Exception {
        Run r = run(SDK, node.toString(), TSC.toString(), "--noEmit", "-p", ".");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void aSampleAppThatMisusesTheApiFailsTheTypeCheck(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("tsconfig.json"), """
                {"extends": "%s", "include": ["misuse.ts"]}
                """.formatted(SDK.resolve("tsconfig.json").toString().replace("\\", "/")));
        Files.writeString(tmp.resolve("misuse.ts"), """
                import { Chorus } from '%s';
                export async function f(call: Chorus) {
                  call.on('speakingChanged', ({ speaking }) => { const n: number = speaking; return n; });
                  await call.switchDevice('screen', 'x');
                }
                """.formatted(SDK.resolve("chorus.js").toString().replace("\\", "/")));
        Run r = run(tmp, node.toString(), TSC.toString(), "--noEmit", "-p", ".");
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("misuse.ts(3", "misuse.ts(4");
    }

    @Test
    void everyExportAndEveryPublicMethodOfACallIsDeclared() throws Exception {
        Run r = run(SDK, node.toString(), "--input-type=module", "-e", """
                const m = await import('./chorus.js');
                const names = Object.keys(m).filter(k => k !== 'default');
                const own = (o) => Object.getOwnPropertyNames(o).filter(k => !k.startsWith('_') && k !== 'constructor'
                  && typeof Object.getOwnPropertyDescriptor(o, k).value === 'function');
                names.push(...own(m.Chorus.prototype), ...own(m.Chorus));
                console.log(names.join('\\n'));
                """);
        assertThat(r.exit()).as(r.output()).isZero();
        String dts = Files.readString(SDK.resolve("chorus.d.ts"));
        List<String> undeclared = new ArrayList<>();
        for (String name : r.output().strip().split("\\R")) {
            if (!dts.matches("(?s).*\\b" + name + "\\s*[(<:].*") && !dts.matches("(?s).*class " + name + "\\b.*")) {
                undeclared.add(name);
            }
        }
        assertThat(r.output()).contains("switchDevice", "displayName", "rateConnection", "Chorus");
        assertThat(undeclared).as("exported or public but missing from chorus.d.ts").isEmpty();
    }

    @Test
    void theSdksOwnUnitTestsPass() throws Exception {
        Run r = run(SDK, node.toString(), "--test", "test/");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("# pass ").doesNotContain("# pass 0");
    }

    @Test
    void theServedSdkIsThePackagesFile() throws Exception {
        assertThat(new String(WebAssets.load("sdk/chorus.js"), StandardCharsets.UTF_8))
                .isEqualTo(Files.readString(SDK.resolve("chorus.js")));
        assertThat(WebAssets.FILES).containsEntry("/sdk/chorus.js", "sdk/chorus.js");
    }

    private static Path findNode() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : List.of("node", "nodejs")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }
}
