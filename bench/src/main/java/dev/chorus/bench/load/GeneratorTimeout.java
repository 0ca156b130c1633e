package dev.chorus.bench.load;

import java.io.IOException;

/**
 * The generator's own deadline passed (an ICE check unanswered, a signaling message not arrived in time): on an
 * overloaded machine the generator's or the server's threads may simply not have run. A soak reports these apart
 * from errors the server reported ({@link Soak#classify}); whether they fail the run depends on the load.
 */
final class GeneratorTimeout extends IOException {
    GeneratorTimeout(String message) {
        super(message);
    }
}
