package dev.chorus.server;

import dev.chorus.signaling.project.DevCredentials;
import dev.chorus.signaling.project.DevProjectBootstrap;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.ProjectKey;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What dev mode prints at start: where to connect and exactly how to get a token. It names the files that hold
 * the secret and the private key; it never prints their content.
 */
final class DevBanner {
    private DevBanner() {}

    /** The dev project's current API key id and ES256 signing key id, from the store. */
    record DevKeys(String apiKeyId, String signingKid) {}

    static DevKeys devKeys(List<ProjectKey> keys) {
        String api = null;
        String sig = null;
        for (ProjectKey k : keys) {
            if (!k.state().canSign()) continue;
            if (k.algorithm() == KeyAlgorithm.HS256 && api == null) api = k.kid();
            if (k.algorithm() == KeyAlgorithm.ES256 && sig == null) sig = k.kid();
        }
        return new DevKeys(api, sig);
    }

    static void print(PrintStream out, ChorusServer s, DevCredentials fresh) {
        Path dir = s.dataDir();
        DevKeys keys = devKeys(s.control().store().keys(DevProjectBootstrap.DEV_PROJECT_ID));
        String apiKeyId = fresh != null ? fresh.apiKeyId() : Optional.ofNullable(keys.apiKeyId()).orElse("<api-key-id>");
        String url = s.baseUrl();
        String wss = url.replaceFirst("^https://", "wss://");
        Path secret = dir.resolve(DevProjectBootstrap.API_SECRET_FILE);
        out.println();
        out.println("Chorus is running in dev mode (not for production).");
        out.println("  HTTPS + WebSocket  " + url + "   (self-signed certificate: " + s.certFile() + ")");
        out.println("  Media (UDP)        port " + s.mediaAddress().getPort() + ", ICE candidates "
                + s.mediaCandidates().stream().map(c -> c.getAddress().getHostAddress() + ":" + c.getPort()).toList()
                + (s.turnAddress() == null ? "" : "   TURN " + s.turnAddress().getAddress().getHostAddress() + ":"
                + s.turnAddress().getPort()));
        out.println("  Data directory     " + dir);
        if (fresh != null) {
            out.println("  Created the dev project, an API key and an ES256 signing key:");
            for (String line : fresh.printLines()) out.println("    " + line);
        }
        out.println("  API key id         " + apiKeyId + "   (secret in " + secret + ", mode 0600)");
        out.println("  ES256 signing key  " + dir.resolve(DevProjectBootstrap.SIGNING_KEY_FILE) + " (mode 0600)");
        out.println();
        out.println("Try a call: open " + url + "/ in two browser tabs (accept the self-signed certificate),");
        out.println("click \"Get a dev token\" and \"Join\" in each.");
        out.println();
        out.println("Mint a join token over HTTPS with the API key:");
        out.println("  curl --cacert " + s.certFile() + " -u \"" + apiKeyId + ":$(cat " + secret + ")\" \\");
        out.println("       -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"room\":\"demo\",\"identity\":\"user-1\",\"scopes\":[\"room:join\",\"media:subscribe\"]}' \\");
        out.println("       " + url + "/v1/tokens");
        out.println("or locally with the ES256 key in the data directory:");
        out.println("  ./chorus token mint --room demo --identity user-1"
                + (s.config().dataDir().equals(ChorusConfig.defaults().dataDir()) ? "" : " --data-dir " + dir));
        out.println("Then open a WebSocket to " + wss + "/v1/ws and send, within "
                + s.config().ws().joinTimeout() + ":");
        out.println("  {\"type\":\"join\",\"room\":\"demo\",\"token\":\"<token>\"}");
        String metrics = s.metricsAddress() != null
                ? "http://" + s.metricsAddress().getHostString() + ":" + s.metricsAddress().getPort() + "/metrics"
                : s.config().metricsOnClientPort() ? url + "/metrics" : "off (metrics.port)";
        out.println("Health: " + url + "/healthz   Metrics: " + metrics + "   Stop: Ctrl-C");
        out.println();
        out.flush();
    }
}
