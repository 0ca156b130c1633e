package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.DtlsEndpoint;
import dev.chorus.media.dtls.DtlsStats;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceDirectory;
import dev.chorus.media.ice.IceLiteAgent;
import dev.chorus.media.ice.StunRouter;
import dev.chorus.media.srtp.SrtpStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media plane's UDP edge: one socket (one port) for every participant, on one Netty event loop (native epoll
 * with recvmmsg when available, NIO otherwise). Creates per-participant {@link WebRtcTransport}s, each with an ICE
 * agent registered by ufrag, a DTLS session and, once connected, SRTP contexts.
 */
public final class MediaTransportServer implements MediaNetwork, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaTransportServer.class);
    private static final long TICK_MILLIS = 500;
    /** Name prefix of the media socket's event loop thread ("chorus-media-udp-1-1"). */
    public static final String MEDIA_LOOP_THREAD = "chorus-media-udp";

    private final MediaTransportConfig config;
    private final LongSupplier clock;
    private final DtlsEndpoint dtlsEndpoint;
    private final IceDirectory directory;
    private final StunRouter router;
    private final TransportCounters counters = new TransportCounters();
    private final SrtpStats srtpStats = new SrtpStats();
    private final ConcurrentHashMap<String, WebRtcTransport> transports = new ConcurrentHashMap<>();
    private final ByteBufAllocator allocator = MediaBufferPool.allocator();
    private volatile EventLoopGroup group;
    private volatile Channel channel;
    private volatile boolean epoll;
    private volatile List<InetSocketAddress> candidates = List.of();
    private ScheduledFuture<?> ticker;
    /** The media socket's descriptor for the worker egress (sendmmsg from the sending thread), or -1: Netty writes. */
    private volatile int egressFd = -1;
    private volatile int egressFamily;
    /** Each sending thread's egress (an SFU worker's); created on its first send. */
    private final ThreadLocal<WorkerEgress> egress = ThreadLocal.withInitial(() -> new WorkerEgress(counters));

    public MediaTransportServer(MediaTransportConfig config, DtlsCertificate certificate) {
        this(config, certificate, System::nanoTime);
    }

    /**
     * @param clock monotonic nanoseconds for ICE (checks, consent); tests pass one they can move forward
     */
    public MediaTransportServer(MediaTransportConfig config, DtlsCertificate certificate, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.dtlsEndpoint = new DtlsEndpoint(certificate, config.dtls(), new DtlsStats());
        this.directory = new IceDirectory(config.maxTransports());
        this.router = new StunRouter(directory);
    }

    /** Binds the socket and starts the event loop. */
    public synchronized MediaTransportServer start() throws InterruptedException, java.io.IOException {
        if (channel != null) throw new IllegalStateException("already started");
        boolean useEpoll = config.preferEpoll() && Epoll.isAvailable();
        // Named so per-thread CPU accounting (chorus bench load's serverThreads) can tell the media loop from HTTP's.
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
                new io.netty.util.concurrent.DefaultThreadFactory(MEDIA_LOOP_THREAD),
                useEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        MediaDatagramHandler handler = new MediaDatagramHandler(this, router, counters);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(useEpoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, allocator)
                .option(ChannelOption.SO_RCVBUF, config.socketBufferBytes())
                .option(ChannelOption.SO_SNDBUF, config.socketBufferBytes())
                .handler(handler);
        if (useEpoll) {
            // recvmmsg: one syscall reads up to recvBatch datagrams into one buffer, sliced per datagram.
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MediaTransportConfig.MAX_DATAGRAM)
                     .option(ChannelOption.RECVBUF_ALLOCATOR,
                             new FixedRecvByteBufAllocator(MediaTransportConfig.MAX_DATAGRAM * config.recvBatch()));
        } else {
            bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MediaTransportConfig.MAX_DATAGRAM + 1));
        }
        try {
            Channel ch = bootstrap.bind(config.bindAddress(), config.port()).sync().channel();
            InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
            List<InetAddress> announce = config.announcedAddresses().isEmpty()
                    ? boundAddresses(config.bindAddress()) : config.announcedAddresses();
            List<InetSocketAddress> list = new ArrayList<>();
            for (InetAddress a : announce) list.add(new InetSocketAddress(a, bound.getPort()));
            this.candidates = List.copyOf(list);
            this.group = loop;
            this.epoll = useEpoll;
            this.channel = ch;
            enableWorkerEgress(ch, useEpoll);
            this.ticker = ch.eventLoop().scheduleAtFixedRate(() -> handler.tick(clock.getAsLong()),
                    TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            LOG.info("media UDP listening on {} ({}{})", bound, useEpoll ? "epoll, recvmmsg" : "nio",
                    egressFd >= 0 ? ", workers send with sendmmsg" : "");
            return this;
        } catch (InterruptedException | java.io.IOException | RuntimeException e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Lets sending threads write to the socket themselves (see {@link WorkerEgress}): needs epoll (a file descriptor),
     * Linux's sendmmsg through FFM (native access enabled) and a known address family. Off with
     * {@code -Dchorus.media.workerEgress=false}; then every datagram goes through Netty's event loop as before.
     */
    private void enableWorkerEgress(Channel ch, boolean useEpoll) {
        if (!useEpoll || !Boolean.parseBoolean(System.getProperty("chorus.media.workerEgress", "true"))) return;
        if (!Sendmmsg.AVAILABLE) {
            LOG.warn("media: sendmmsg through FFM unavailable (is --enable-native-access=ALL-UNNAMED set?); "
                    + "datagrams go through the event loop");
            return;
        }
        int fd = ((io.netty.channel.unix.UnixChannel) ch).fd().intValue();
        int family = Sendmmsg.family(fd);
        if (family != Sendmmsg.AF_INET && family != Sendmmsg.AF_INET6) {
            LOG.warn("media: unknown socket family {}; datagrams go through the event loop", family);
            return;
        }
        egressFamily = family;
        egressFd = fd;
    }

    /**
     * The addresses a socket bound to {@code bound} receives on: itself, or for a wildcard bind every address of
     * an interface that is up (IPv4 only for {@code 0.0.0.0}; IPv4 and IPv6 for {@code ::}), without link-local
     * ones, and loopback only if nothing else exists.
     */
    static List<InetAddress> boundAddresses(InetAddress bound) throws java.io.IOException {
        if (!bound.isAnyLocalAddress()) return List.of(bound);
        boolean v6 = bound instanceof java.net.Inet6Address;
        List<InetAddress> found = new ArrayList<>();
        List<InetAddress> loopback = new ArrayList<>();
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) continue;
            for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (!v6 && !(a instanceof java.net.Inet4Address)) continue;
                if (a.isLinkLocalAddress() || a.isAnyLocalAddress()) continue;
                if (a instanceof java.net.Inet6Address i6 && i6.getScopeId() != 0) {
                    a = InetAddress.getByAddress(a.getAddress()); // drop the %scope for SDP
                }
                (a.isLoopbackAddress() ? loopback : found).add(a);
            }
        }
        return List.copyOf(found.isEmpty() ? loopback : found);
    }

    /**
     * Creates a transport for a participant whose SDP offer carried {@code remoteUfrag} and
     * {@code remoteFingerprint}. Call from the signaling side; returns null when the server is at capacity.
     */
    public synchronized WebRtcTransport createTransport(String remoteUfrag, Fingerprint remoteFingerprint, MediaSink sink,
                                           TransportListener listener) {
        if (channel == null) throw new IllegalStateException("not started");
        IceLiteAgent agent = directory.create(remoteUfrag, clock.getAsLong());
        if (agent == null) return null;
        WebRtcTransport transport = new WebRtcTransport(this, agent, remoteFingerprint, sink, listener, null, null);
        transports.put(agent.localUfrag(), transport);
        return transport;
    }

    /**
     * Creates a transport whose inbound SRTP is decrypted by its owner's thread, not by the event loop: protected
     * datagrams go to {@code sink}; the owner calls {@link WebRtcTransport#unprotectRtp}/{@link
     * WebRtcTransport#unprotectRtcp} (from one thread), counting outcomes in {@code inboundStats} (that thread's).
     *
     * @param local local ICE credentials, or null for fresh ones. An SFU that offers first (subscribe transports)
     *              generates them for its offer and creates the transport when the answer brings the remote ufrag
     *              and fingerprint
     * @return the transport, or null when the server is full or the local ufrag is taken
     */
    public synchronized WebRtcTransport createTransport(dev.chorus.media.ice.IceCredentials local, String remoteUfrag,
                                                        Fingerprint remoteFingerprint, SrtpSink sink,
                                                        SrtpStats inboundStats, TransportListener listener) {
        if (channel == null) throw new IllegalStateException("not started");
        IceLiteAgent agent;
        if (local == null) {
            agent = directory.create(remoteUfrag, clock.getAsLong());
        } else {
            agent = new IceLiteAgent(local, remoteUfrag, clock.getAsLong());
            if (!directory.register(agent)) agent = null;
        }
        if (agent == null) return null;
        WebRtcTransport transport = new WebRtcTransport(this, agent, remoteFingerprint, MediaSink.DISCARD, listener,
                sink, inboundStats);
        transports.put(agent.localUfrag(), transport);
        return transport;
    }

    // ---- MediaNetwork: the SFU's seam ------------------------------------------------------------------------------

    @Override
    public MediaChannel open(int worker, dev.chorus.media.ice.IceCredentials local, String remoteUfrag,
                             Fingerprint remoteFingerprint, SrtpStats inboundStats, MediaChannel.Events events) {
        WebRtcChannel channel = new WebRtcChannel(events);
        WebRtcTransport t = createTransport(local, remoteUfrag, remoteFingerprint, channel, inboundStats, channel);
        if (t == null) return null;
        channel.transport = t;
        return channel;
    }

    /** One socket and event loop for every worker today: flushes everything queued. */
    @Override
    public void flush(int worker) {
        flush();
    }

    @Override
    public Fingerprint localFingerprint() {
        return dtlsEndpoint.certificate().fingerprint();
    }

    @Override
    public int maxStreamsPerTransport() {
        return config.maxStreamsPerTransport();
    }

    /** Closes every transport and the socket. */
    public synchronized void stop() {
        Channel ch = channel;
        if (ch == null) return;
        for (WebRtcTransport t : transports.values()) t.close(CloseReason.SERVER_STOPPED);
        if (ticker != null) ticker.cancel(false);
        // Workers must stop writing to the descriptor before it is closed (and possibly reused).
        egressFd = -1;
        // Let the close tasks queued above run, then shut the loop down.
        ch.eventLoop().submit(() -> { }).syncUninterruptibly();
        ch.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        channel = null;
    }

    @Override
    public void close() {
        stop();
    }

    // ---- accessors --------------------------------------------------------------------------------------------

    public MediaTransportConfig config() { return config; }
    public DtlsEndpoint dtlsEndpoint() { return dtlsEndpoint; }
    public String fingerprint() { return dtlsEndpoint.certificate().sdpFingerprint(); }
    /** Host candidate addresses with the bound port (announced addresses, or the bound one). */
    public List<InetSocketAddress> candidates() { return candidates; }
    public InetSocketAddress localAddress() { return (InetSocketAddress) channel.localAddress(); }
    public boolean isEpoll() { return epoll; }
    public TransportCounters counters() { return counters; }
    /** Inbound SRTP/SRTCP outcomes of all transports (the event loop is their only writer). */
    public SrtpStats srtpStats() { return srtpStats; }
    public DtlsStats dtlsStats() { return dtlsEndpoint.stats(); }
    public StunRouter stunRouter() { return router; }
    public int openTransports() { return transports.size(); }
    public Collection<WebRtcTransport> transports() { return transports.values(); }

    // ---- for transports -----------------------------------------------------------------------------------------

    ByteBufAllocator allocator() { return allocator; }

    long nanoTime() { return clock.getAsLong(); }

    WebRtcTransport transportFor(IceLiteAgent agent) {
        return transports.get(agent.localUfrag());
    }

    void execute(Runnable task) {
        Channel ch = channel;
        if (ch != null) ch.eventLoop().execute(task);
        else task.run();
    }

    /**
     * Sends the datagrams this thread queued with {@link WebRtcTransport#queueRtp} and friends: with the worker
     * egress one sendmmsg from this thread, otherwise a flush of Netty's channel (epoll then writes with sendmmsg on
     * its event loop).
     */
    public void flush() {
        if (egressFd >= 0) {
            WorkerEgress e = egress.get();
            if (e.hasPending()) e.flush(egressFd);
            return;
        }
        Channel ch = channel;
        if (ch != null) ch.flush();
    }

    /** The calling thread's egress, or null when datagrams go through Netty's event loop. */
    WorkerEgress egress() {
        return egressFd >= 0 ? egress.get() : null;
    }

    /** Socket address family for {@link SocketAddressCodec} (worker egress only). */
    int egressFamily() { return egressFamily; }

    /** The descriptor workers send on, or -1 once stopped. */
    int egressFd() { return egressFd; }

    /** Writes a datagram (any thread); counts it; releases it if the socket is gone. */
    void write(DatagramPacket packet, int length, boolean flush) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            packet.release();
            return;
        }
        counters.packetsOut.increment();
        counters.bytesOut.add(length);
        if (flush) ch.writeAndFlush(packet, ch.voidPromise());
        else ch.write(packet, ch.voidPromise());
    }

    /**
     * ICE restart of an open transport: it becomes reachable under the new local ufrag before the old one is
     * forgotten, so the event loop's lookups ({@link #transportFor}) always find it.
     */
    synchronized boolean restartIce(WebRtcTransport transport, dev.chorus.media.ice.IceCredentials local,
                                    String remoteUfrag) {
        String oldUfrag = transport.localUfrag();
        if (oldUfrag.equals(local.ufrag())) { // only the peer restarted: same entry, new remote ufrag
            return transports.get(oldUfrag) == transport && directory.restart(transport.agent(), local, remoteUfrag);
        }
        if (transports.get(oldUfrag) != transport || transports.putIfAbsent(local.ufrag(), transport) != null) {
            return false;
        }
        if (!directory.restart(transport.agent(), local, remoteUfrag)) {
            transports.remove(local.ufrag(), transport);
            return false;
        }
        transports.remove(oldUfrag, transport);
        return true;
    }

    /** Event loop: forget a closed transport (directory entry and lookup). */
    void forget(WebRtcTransport transport) {
        transports.remove(transport.localUfrag(), transport);
        directory.remove(transport.localUfrag());
    }
}
