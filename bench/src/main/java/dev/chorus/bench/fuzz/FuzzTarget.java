package dev.chorus.bench.fuzz;

import java.util.List;

/**
 * One fuzz harness: the test class (in its module's test-jar) with a static {@code fuzzerTestOneInput}, and where
 * its seed corpus lies on the class path ({@code <package>/<Class>Inputs/<method>/}, the directory its
 * {@code @FuzzTest} replays in every test run).
 *
 * @param name short name used on the command line and in docs/security.md
 */
record FuzzTarget(String name, String className, List<String> seedDirs) {

    /** Every parser that takes bytes from the network or a user (issue 15), one harness each. */
    static final List<FuzzTarget> ALL = List.of(
            of("stun", "dev.chorus.stun.StunMessageFuzzTest", "wrap"),
            of("rtp-rtcp", "dev.chorus.media.rtp.RtpRtcpFuzzTest", "rtp", "rtcp"),
            of("video-payload", "dev.chorus.media.simulcast.VideoPayloadFuzzTest", "payloads"),
            of("sdp", "dev.chorus.media.sdp.SdpParserFuzzTest", "parseWriteAnswer"),
            of("dtls-clienthello", "dev.chorus.media.dtls.ClientHelloAssemblerFuzzTest", "offer"),
            of("sctp", "dev.chorus.media.sctp.SctpAssociationFuzzTest", "packets"),
            of("turn", "dev.chorus.turn.core.TurnCoreFuzzTest", "clientPackets"),
            of("jwt", "dev.chorus.signaling.auth.JoinTokenFuzzTest", "verify"),
            of("ws-message", "dev.chorus.signaling.ws.SignalingMessageFuzzTest", "message"),
            of("api-body", "dev.chorus.signaling.api.ApiBodyFuzzTest", "mintBody"),
            of("config-yaml", "dev.chorus.server.ConfigFuzzTest", "load"));

    private static FuzzTarget of(String name, String className, String... methods) {
        String dir = className.replace('.', '/') + "Inputs/";
        return new FuzzTarget(name, className, java.util.Arrays.stream(methods).map(m -> dir + m + "/").toList());
    }
}
