package dev.chorus.common.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThrowawayPostgresTest {

    @Test
    void startsARealServerThatAnswersQueriesAndCanBeStoppedAndStartedAgain() throws Exception {
        ThrowawayPostgres pg = ThrowawayPostgres.start();
        try (pg) {
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/chorus");
            assertThat(Files.readString(pg.passwordFile()).strip()).isEqualTo(pg.password());
            String url = pg.createDatabase("fixture_check");
            assertThat(url).endsWith("/fixture_check");
            assertThat(psql(pg, "fixture_check", "SELECT 40 + 2")).isEqualTo("42");

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            assertThat(accepts(pg.port())).isFalse();

            pg.startAgain();
            assertThat(psql(pg, "fixture_check", "SELECT current_user")).isEqualTo("chorus");
        }
        assertThat(pg.isRunning()).isFalse();
        assertThat(accepts(pg.port())).isFalse();
        assertThat(Files.exists(pg.passwordFile())).isFalse();
    }

    @Test
    void refusesDatabaseNamesThatAreNotPlainIdentifiers() {
        try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
            assertThatThrownBy(() -> pg.createDatabase("x; drop")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String psql(ThrowawayPostgres pg, String db, String query) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of(ThrowawayPostgres.binDir().resolve("psql").toString(), "-h",
                pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(), "-d", db, "-tAc", query));
        pb.environment().put("PGPASSWORD", pg.password());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
