package dev.chorus.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A whole SDP offer or answer: session-level fields and the media sections in order. Mutable. */
public final class SessionDescription {
    private Sdp.Origin origin;
    private String sessionName = "-";
    private String timing = "0 0";
    private Sdp.Connection connection;
    private final List<String> bandwidths = new ArrayList<>();
    private final List<Sdp.Group> groups = new ArrayList<>();
    private boolean iceLite;
    private String iceUfrag;
    private String icePwd;
    private final List<String> iceOptions = new ArrayList<>();
    private final List<Sdp.Fingerprint> fingerprints = new ArrayList<>();
    private Sdp.Setup setup;
    private boolean extmapAllowMixed;
    private final List<Sdp.Extmap> extmaps = new ArrayList<>();
    private final List<Sdp.Attribute> otherAttributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();

    public SessionDescription(Sdp.Origin origin) {
        this.origin = origin;
    }

    public Sdp.Origin origin() { return origin; }
    public SessionDescription origin(Sdp.Origin v) { origin = v; return this; }
    public String sessionName() { return sessionName; }
    public SessionDescription sessionName(String v) { sessionName = v; return this; }
    /** The {@code t=} value, e.g. {@code 0 0}. */
    public String timing() { return timing; }
    public SessionDescription timing(String v) { timing = v; return this; }
    public Sdp.Connection connection() { return connection; }
    public SessionDescription connection(Sdp.Connection v) { connection = v; return this; }
    public List<String> bandwidths() { return bandwidths; }
    public List<Sdp.Group> groups() { return groups; }
    public boolean iceLite() { return iceLite; }
    public SessionDescription iceLite(boolean v) { iceLite = v; return this; }
    public String iceUfrag() { return iceUfrag; }
    public SessionDescription iceUfrag(String v) { iceUfrag = v; return this; }
    public String icePwd() { return icePwd; }
    public SessionDescription icePwd(String v) { icePwd = v; return this; }
    public List<String> iceOptions() { return iceOptions; }
    public List<Sdp.Fingerprint> fingerprints() { return fingerprints; }
    public Sdp.Setup setup() { return setup; }
    public SessionDescription setup(Sdp.Setup v) { setup = v; return this; }
    public boolean extmapAllowMixed() { return extmapAllowMixed; }
    public SessionDescription extmapAllowMixed(boolean v) { extmapAllowMixed = v; return this; }
    /** Session-level extmaps (rare; Chromium puts them in media sections). */
    public List<Sdp.Extmap> extmaps() { return extmaps; }
    public List<Sdp.Attribute> otherAttributes() { return otherAttributes; }
    public List<MediaDescription> media() { return media; }

    /** The BUNDLE group, if any. */
    public Optional<Sdp.Group> bundleGroup() {
        return groups.stream().filter(g -> g.semantics().equals("BUNDLE")).findFirst();
    }

    /** The media section with {@code mid}. */
    public Optional<MediaDescription> mediaByMid(String mid) {
        return media.stream().filter(m -> mid.equals(m.mid())).findFirst();
    }

    /** ICE ufrag of a section, falling back to the session level. */
    public String iceUfrag(MediaDescription m) {
        return m.iceUfrag() != null ? m.iceUfrag() : iceUfrag;
    }

    /** ICE pwd of a section, falling back to the session level. */
    public String icePwd(MediaDescription m) {
        return m.icePwd() != null ? m.icePwd() : icePwd;
    }

    /** Fingerprints of a section, falling back to the session level. */
    public List<Sdp.Fingerprint> fingerprints(MediaDescription m) {
        return m.fingerprints().isEmpty() ? fingerprints : m.fingerprints();
    }

    /** Setup of a section, falling back to the session level. */
    public Sdp.Setup setup(MediaDescription m) {
        return m.setup() != null ? m.setup() : setup;
    }

    /** A summary without credentials (the full text carries the ICE password: never log it). */
    @Override
    public String toString() {
        return "SessionDescription[media=" + media.stream().map(m -> m.media() + ":" + m.mid()).toList() + "]";
    }
}
