package dev.chorus.media.datachannel;

/** One data channel: an SCTP stream id used in both directions, opened with DCEP (RFC 8832). */
public final class DataChannel {

    public enum State { CONNECTING, OPEN, CLOSING, CLOSED }

    private final int id;
    private final String label;
    private final String protocol;
    private final ChannelType type;
    private final long reliabilityParameter;
    State state;
    boolean outgoingReset;
    boolean incomingReset;

    DataChannel(int id, String label, String protocol, ChannelType type, long reliabilityParameter, State state) {
        this.id = id;
        this.label = label;
        this.protocol = protocol;
        this.type = type;
        this.reliabilityParameter = reliabilityParameter;
        this.state = state;
    }

    public int id() { return id; }
    public String label() { return label; }
    public String protocol() { return protocol; }
    public ChannelType type() { return type; }
    public long reliabilityParameter() { return reliabilityParameter; }
    public State state() { return state; }

    @Override
    public String toString() {
        return "DataChannel[" + id + " " + type + " " + state + "]";
    }
}
