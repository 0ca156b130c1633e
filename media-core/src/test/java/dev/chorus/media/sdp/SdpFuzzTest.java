package dev.chorus.media.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutated real offers, deterministic (a fixed seed): each goes through {@link SdpParserFuzzTest}'s contract, the
 * same check the coverage-guided fuzzer applies.
 */
class SdpFuzzTest {
    private static final String CHARS = " :=/;,.-+*~\r\n\t0123456789abcdefxyzABCXYZ\u0000\u00ff\u4e2d";

    @Test
    void mutatedOffersFailOnlyWithParseOrNegotiationErrors() {
        SplittableRandom rnd = new SplittableRandom(2026);
        String[] bases = {SdpFixtures.chromiumAudioVideoOffer(), SdpFixtures.chromiumSimulcastOffer()};
        int parsed = 0;
        int answered = 0;
        for (int i = 0; i < 800; i++) {
            String text = mutate(bases[i % 2], rnd);
            if (SdpParserFuzzTest.check(text)) answered++;
            try {
                SdpParser.parse(text);
                parsed++;
            } catch (SdpParseException e) {
                // counted by the harness's contract
            }
        }
        assertThat(parsed).as("some mutations stay valid").isPositive();
        assertThat(answered).isPositive();
    }

    private static String mutate(String base, SplittableRandom rnd) {
        List<String> lines = new ArrayList<>(base.lines().toList());
        int ops = 1 + rnd.nextInt(3);
        for (int k = 0; k < ops; k++) {
            int li = rnd.nextInt(lines.size());
            String l = lines.get(li);
            switch (rnd.nextInt(6)) {
                case 0 -> lines.remove(li);
                case 1 -> lines.add(rnd.nextInt(lines.size()), l);
                case 2 -> lines.set(li, l.substring(0, rnd.nextInt(l.length() + 1)));
                case 3 -> {
                    if (!l.isEmpty()) {
                        int p = rnd.nextInt(l.length());
                        lines.set(li, l.substring(0, p) + CHARS.charAt(rnd.nextInt(CHARS.length())) + l.substring(p + 1));
                    }
                }
                case 4 -> lines.set(li, l.replaceAll("[0-9]+", rnd.nextBoolean() ? "99999999999" : "0"));
                default -> lines.set(li, l + " " + l);
            }
        }
        return String.join("\r\n", lines) + "\r\n";
    }
}
