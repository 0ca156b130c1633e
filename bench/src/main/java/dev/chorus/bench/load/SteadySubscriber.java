package dev.chorus.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.media.srtp.SrtpProfile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's steady subscriber of one room, as a browser's subscribe connection behaves: one signaling session and
 * one media endpoint for the whole run. It reads its messages in order and
 * <ul>
 *   <li>answers every {@code subscriberOffer} with the same endpoint (same ICE ufrag and fingerprint), echoing its
 *       {@code version} (an answer to an offer withdrawn meanwhile is then ignored by the server, not refused);</li>
 *   <li>connects (ICE + DTLS) on the first offer, and again on the first offer after the server reported its
 *       subscribe transport closed ({@code transportClosed}): that offer describes a new transport;</li>
 *   <li>follows an ICE restart (new server credentials in an offer) with nominating checks on the same transport;</li>
 *   <li>keeps ICE consent (RFC 7675) with a check every {@link #CONSENT_MILLIS}: without it the server closes the
 *       transport after 30 s and the subscriber silently receives nothing more;</li>
 *   <li>counts every {@code error} the server sends it (a refused answer) as a failure.</li>
 * </ul>
 * Before this class the soak answered all rooms from one thread and kept the endpoints in a list in the order of
 * their first offer, so when room 1's first offer came before room 0's, room 0 was answered with room 1's endpoint
 * and room 1 got a new endpoint for every later offer, each failing its ICE checks ("ICE check failed", issue 16).
 */
final class SteadySubscriber implements AutoCloseable {
    /** Consent check period: browsers check about every 5 s (RFC 7675: 4–6 s). */
    static final long CONSENT_MILLIS = 5_000;

    /** A failure: {@code cause} is null when the server reported it (an {@code error} message, a close). */
    interface Errors {
        void error(String stage, String message, Throwable cause);
    }

    final String room;
    private final Signaling sig;
    private final MediaEndpoint media;
    private final SrtpProfile profile;
    private final Errors errors;
    final AtomicLong audioPackets = new AtomicLong();
    private volatile long lastAudioNanos;
    /** ICE and DTLS completed on the server's current subscribe transport. */
    private boolean connected;
    private long nextConsentNanos;
    final AtomicLong offersAnswered = new AtomicLong();
    final AtomicLong iceRestartsFollowed = new AtomicLong();
    final AtomicLong transportsConnected = new AtomicLong();

    SteadySubscriber(Signaling sig, String room, InetSocketAddress mediaServer, SrtpProfile profile, ReceiveLoop rx,
                     Errors errors) throws IOException {
        this.sig = sig;
        this.room = room;
        this.profile = profile;
        this.errors = errors;
        this.media = new MediaEndpoint(mediaServer, MediaEndpoint.certificate(), true);
        media.sink((p, len, t, read) -> {
            audioPackets.incrementAndGet();
            lastAudioNanos = t;
        });
        rx.add(media);
    }

    /** Nominating checks per ICE attempt (see {@link MediaEndpoint#iceAttempts}). */
    void iceAttempts(int n) {
        media.iceAttempts(n);
    }

    /** System.nanoTime() of the last audio packet received, or 0. */
    long lastAudioNanos() {
        return lastAudioNanos;
    }

    /** Handles every queued message and keeps consent; call in a loop from one thread. */
    void step() throws InterruptedException {
        JsonNode m;
        while ((m = sig.next()) != null) {
            switch (m.path("type").asText()) {
                case "subscriberOffer" -> onOffer(m);
                case "transportClosed" -> {
                    if (m.path("role").asText().equals("subscribe")) connected = false; // the next offer opens a new one
                }
                case "error" -> errors.error("steady-subscriber", room + ": server error " + m.path("code").asText()
                        + ": " + m.path("message").asText(), null);
                default -> { } // presence, tracks, levels: not this subscriber's concern
            }
        }
        long now = System.nanoTime();
        if (connected && now - nextConsentNanos >= 0) {
            nextConsentNanos = now + TimeUnit.MILLISECONDS.toNanos(CONSENT_MILLIS);
            try {
                media.sendConsent();
            } catch (IOException e) {
                errors.error("steady-subscriber", room + ": consent check: " + e, e);
            }
        }
    }

    /** The SSRCs the latest offer sends (a=ssrc lines): those that disappear are forgotten by the endpoint. */
    private java.util.Set<Long> offeredSsrcs = java.util.Set.of();
    private static final java.util.regex.Pattern SSRC = java.util.regex.Pattern.compile("a=ssrc:(\\d+) ");

    private void forgetRemovedStreams(String sdp) {
        java.util.Set<Long> now = new java.util.HashSet<>();
        java.util.regex.Matcher m = SSRC.matcher(sdp);
        while (m.find()) now.add(Long.parseLong(m.group(1)));
        for (Long ssrc : offeredSsrcs) if (!now.contains(ssrc)) media.forgetSsrc(ssrc);
        offeredSsrcs = now;
    }

    private void onOffer(JsonNode offer) throws InterruptedException {
        String sdp = offer.path("sdp").asText();
        forgetRemovedStreams(sdp);
        try {
            sig.send(Signaling.subscriberAnswer(offer, media.answer(sdp)));
            offersAnswered.incrementAndGet();
            if (!connected) {
                media.connect(sdp, profile);
                connected = true;
                transportsConnected.incrementAndGet();
                nextConsentNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONSENT_MILLIS);
            } else if (media.followIceRestart(sdp)) {
                iceRestartsFollowed.incrementAndGet();
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // the same endpoint tries again with the next offer, as a browser's connection would
            errors.error("steady-subscriber", room + ": renegotiation: " + e, e);
        }
    }

    /** Why the server closed the signaling session, or null while it is open. */
    String closedReason() {
        return sig.closedReason();
    }

    @Override
    public void close() throws IOException {
        sig.close();
        media.close();
    }
}
