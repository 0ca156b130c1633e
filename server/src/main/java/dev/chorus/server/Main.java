package dev.chorus.server;

/** Entry point of the {@code chorus} command line. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("Chorus: CLI not wired yet");
    }
}
