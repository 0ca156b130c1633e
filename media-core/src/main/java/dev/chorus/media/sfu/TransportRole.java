package dev.chorus.media.sfu;

/**
 * The two transports of a participant. Each direction has its own ICE/DTLS transport and its own SDP exchange,
 * so each side is always the offerer for what it sends and renegotiations never glare:
 * <ul>
 *   <li>{@link #PUBLISH}: the client offers (sendonly sections), the SFU answers recvonly
 *       ({@link Participant#publish});</li>
 *   <li>{@link #SUBSCRIBE}: the SFU offers (sendonly sections, one per track it forwards), the client answers
 *       ({@link ParticipantListener#onSubscriberOffer}, {@link Participant#answerSubscription}).</li>
 * </ul>
 */
public enum TransportRole { PUBLISH, SUBSCRIBE }
