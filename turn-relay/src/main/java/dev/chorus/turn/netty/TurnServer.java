package dev.chorus.turn.netty;

import dev.chorus.turn.auth.SecretRing;
import dev.chorus.turn.core.Allocation;
import dev.chorus.turn.core.ClientKey;
import dev.chorus.turn.core.TurnCore;
import dev.chorus.turn.core.TurnIo;
import dev.chorus.turn.metrics.TurnMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TURN server's Netty edge: UDP and TCP listeners on one port, TURNS (TLS) on another, and one UDP relay
 * socket per allocation from the configured port range. Everything runs on ONE event loop thread that also owns the
 * sans-IO {@link TurnCore}, so the core needs no locks; writes are flushed once per read batch.
 * Epoll when available, NIO otherwise. Embedded: {@code new TurnServer(config, registry).start()} … {@code stop()}.
 * Relayed bytes are opaque (SRTP); nothing here logs payloads or credentials.
 */
public final class TurnServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TurnServer.class);
    private static final AttributeKey<Allocation> ALLOCATION = AttributeKey.valueOf("chorus.turn.allocation");
    private static final AttributeKey<ClientKey> CLIENT = AttributeKey.valueOf("chorus.turn.client");

    static final int STREAM_IDLE_SECONDS = 60;

    private final TurnConfig config;
    private final MeterRegistry registry;
    private final SecretRing secrets;
    private EventLoopGroup group;
    private EventLoop loop;
    private boolean epoll;
    private Channel udp;
    private Channel tcp;
    private Channel tls;
    private volatile TurnCore core;  // null until start() completes: packets before that are dropped
    private EdgeIo io;
    private ScheduledFuture<?> ticker;
    private TurnMetrics metrics;
    private volatile boolean running;

    public TurnServer(TurnConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.secrets = new SecretRing(config.secrets());
    }

    /** The shared secrets, for rotation at runtime ({@link SecretRing#replace}). */
    public SecretRing secrets() {
        return secrets;
    }

    public synchronized void start() throws Exception {
        if (running) throw new IllegalStateException("already started");
        epoll = config.nativeTransport() && Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        loop = group.next();
        try {
            io = new EdgeIo();
            Class<? extends DatagramChannel> dgram = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
            Bootstrap udpBootstrap = new Bootstrap().group(loop).channel(dgram)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new UdpListener());
            if (epoll) batchReceive(udpBootstrap);
            udp = udpBootstrap
                    .bind(config.bindAddress(), config.port()).sync().channel();
            int port = ((InetSocketAddress) udp.localAddress()).getPort();
            tcp = streamListener(port, null);
            if (config.tlsPort() >= 0) tls = streamListener(config.tlsPort(), sslContext());
            Set<Integer> ownPorts = new HashSet<>();
            ownPorts.add(port);
            if (tls != null) ownPorts.add(((InetSocketAddress) tls.localAddress()).getPort());
            core = new TurnCore(config.settings(), secrets, config.peerPolicy(ownPorts), io, new SecureRandom());
            ticker = loop.scheduleAtFixedRate(() -> core.tick(System.currentTimeMillis()), 1, 1, TimeUnit.SECONDS);
            if (registry != null) metrics = TurnMetrics.bind(registry, this);
            running = true;
            log.info("TURN listening udp/tcp {} tls {} relay {} ports {}-{} ({})", udp.localAddress(),
                    tls == null ? "off" : tls.localAddress(), config.settings().relayAddress().getHostAddress(),
                    config.settings().relayPortMin(), config.settings().relayPortMax(), epoll ? "epoll" : "nio");
        } catch (Exception e) {
            stop();
            throw e;
        }
    }

    /**
     * recvmmsg: up to 16 datagrams of up to 4 KiB per system call (epoll only). Writes are already batched: the
     * edge flushes once per read batch and epoll's datagram channel then uses sendmmsg.
     */
    private static void batchReceive(Bootstrap b) {
        b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * 16));
    }

    /** Larger datagrams are truncated by the batch receive: far above WebRTC packet sizes (about 1200 bytes). */
    private static final int MAX_DATAGRAM = 4096;

    private Channel streamListener(int port, SslContext ssl) throws InterruptedException {
        Class<? extends ServerSocketChannel> server = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        return new ServerBootstrap().group(loop, loop).channel(server)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        // a connection that sits idle without an allocation is closed (bounded idle sockets)
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, STREAM_IDLE_SECONDS, TimeUnit.SECONDS),
                                new StreamFramer(), new StreamConnection(ssl != null));
                    }
                })
                .bind(config.bindAddress(), port).sync().channel();
    }

    private SslContext sslContext() throws Exception {
        if (config.tlsCertificate() != null) {
            return SslContextBuilder.forServer(config.tlsCertificate().toFile(), config.tlsPrivateKey().toFile()).build();
        }
        // no certificate configured: a fresh self-signed EC P-256 one, valid one year, key kept in memory only
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("CN=chorus-turn");
        Instant now = Instant.now();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(365, ChronoUnit.DAYS)), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
        return SslContextBuilder.forServer(kp.getPrivate(), cert).build();
    }

    public synchronized void stop() {
        running = false;
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (loop != null && core != null) {
            try {
                loop.submit(() -> {
                    if (ticker != null) ticker.cancel(false);
                    core.closeAll();
                }).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("TURN stop: {}", e.toString());
            }
        }
        for (Channel c : new Channel[] {udp, tcp, tls}) if (c != null) c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (group != null) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        udp = tcp = tls = null;
        group = null;
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return running;
    }

    public boolean usesEpoll() {
        return epoll;
    }

    public InetSocketAddress udpAddress() {
        return (InetSocketAddress) udp.localAddress();
    }

    public InetSocketAddress tcpAddress() {
        return (InetSocketAddress) tcp.localAddress();
    }

    public InetSocketAddress tlsAddress() {
        return tls == null ? null : (InetSocketAddress) tls.localAddress();
    }

    public TurnConfig config() {
        return config;
    }

    /** Runs {@code f} on the event loop that owns the core and waits for it (tests, metrics snapshots). */
    public <T> T onLoop(Function<TurnCore, T> f) {
        Callable<T> c = () -> f.apply(core);
        try {
            return loop.submit(c).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The core, for read-only metric gauges (plain fields read racily, as the team's metrics rule allows). */
    public TurnCore core() {
        return core;
    }

    // ------------------------------------------------------------------ handlers

    /** The core must not throw on input; if it does, that is our bug: count it, log the stack (never the packet). */
    /** Hands a client's packet (UDP datagram or framed TCP/TLS message) to the core; a core exception is a bug. */
    private void onClientPacket(TurnCore core, ClientKey key, ByteBuf data) {
        try {
            core.onClientPacket(key, data, System.currentTimeMillis());
        } catch (RuntimeException e) {
            bug(e);
        }
    }

    private void bug(RuntimeException e) {
        coreErrors++;
        log.error("TURN core failed on a packet (dropped)", e);
    }

    private long coreErrors;
    private long rejectedConnections;
    private long unauthenticatedTimeouts;

    /** TCP/TLS connections closed because they had no allocation {@link TurnConfig#unauthenticatedTimeoutSeconds} in. */
    public long unauthenticatedTimeouts() {
        return unauthenticatedTimeouts;
    }

    /**
     * Ends a participant session's TURN access ({@link TurnCore#revoke}): its credentials (one opaque id) stop working
     * and its allocations end. Thread-safe: runs on the relay's loop. {@code until}: the latest expiry of a
     * credential issued with that id (they are forgotten after it).
     */
    public void revoke(String opaqueId, Instant until) {
        EventLoop l = loop;
        if (l == null || !running) return;
        l.execute(() -> {
            if (core != null) core.revoke(opaqueId, until.toEpochMilli(), System.currentTimeMillis());
        });
    }

    /**
     * A private peer-to-peer session's credentials (one opaque id, docs/p2p.md): its allocations reach only the session
     * it is {@linkplain #pairP2p paired} with. Thread-safe; runs on the relay's loop before anything queued after it.
     */
    public void markP2p(String opaqueId) {
        onLoopAsync(c -> c.markP2p(opaqueId));
    }

    /** The two sessions of a p2p room: each one's allocations reach exactly the other's relayed addresses. */
    public void pairP2p(String opaqueIdA, String opaqueIdB) {
        onLoopAsync(c -> c.pairP2p(opaqueIdA, opaqueIdB));
    }

    /** A p2p session left its room: its partner's allocations reach nobody any more. */
    public void endP2p(String opaqueId) {
        onLoopAsync(c -> c.endP2p(opaqueId));
    }

    private void onLoopAsync(java.util.function.Consumer<TurnCore> f) {
        EventLoop l = loop;
        if (l == null || !running) return;
        l.execute(() -> {
            if (core != null) f.accept(core);
        });
    }

    /** TCP/TLS connections closed because {@link TurnConfig#maxStreamConnections()} was reached. */
    public long rejectedConnections() {
        return rejectedConnections;
    }

    /** Open TCP/TLS client connections (read on the loop, or racily for metrics). */
    public int streamConnections() {
        return io == null ? 0 : io.connections.size();
    }

    /** Packets the core threw on (a bug if not zero). */
    public long coreErrors() {
        return coreErrors;
    }

    private final class UdpListener extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            TurnCore core = TurnServer.this.core;
            if (core == null) return;
            ClientKey key = new ClientKey(ClientKey.UDP, p.sender(), (InetSocketAddress) ctx.channel().localAddress());
            onClientPacket(core, key, p.content());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            io.flushAll();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // an ICMP error or similar on the shared socket: keep serving (the message never contains payloads)
            log.debug("TURN UDP listener: {}", cause.toString());
        }
    }

    private final class StreamConnection extends SimpleChannelInboundHandler<ByteBuf> {
        private final boolean tlsConnection;

        StreamConnection(boolean tls) {
            this.tlsConnection = tls;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ClientKey key = new ClientKey(tlsConnection ? ClientKey.TLS : ClientKey.TCP,
                    (InetSocketAddress) ctx.channel().remoteAddress(), (InetSocketAddress) ctx.channel().localAddress());
            java.nio.ByteBuffer source = sourceOf(key);
            if (io.connections.size() >= config.maxStreamConnections()
                    || io.perSource.getOrDefault(source, 0) >= config.maxStreamConnectionsPerSource()) {
                rejectedConnections++;
                ctx.close();  // over a cap: no state is created
                return;
            }
            ctx.channel().attr(CLIENT).set(key);
            io.connections.put(key, ctx.channel());
            io.perSource.merge(source, 1, Integer::sum);
            // however busy it keeps itself (Binding requests, 401 challenges), a connection must allocate in time
            ctx.executor().schedule(() -> {
                TurnCore c = TurnServer.this.core;
                if (ctx.channel().isActive() && (c == null || c.allocation(key) == null)) {
                    unauthenticatedTimeouts++;
                    ctx.close();
                }
            }, config.unauthenticatedTimeoutSeconds(), TimeUnit.SECONDS);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            ClientKey key = ctx.channel().attr(CLIENT).get();
            TurnCore core = TurnServer.this.core;
            if (key == null || core == null) return;
            onClientPacket(core, key, msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            io.flushAll();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ClientKey key = ctx.channel().attr(CLIENT).get();
                TurnCore core = TurnServer.this.core;
                if (key == null || core == null || core.allocation(key) == null) ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ClientKey key = ctx.channel().attr(CLIENT).get();
            TurnCore core = TurnServer.this.core;
            if (key != null) {
                io.connections.remove(key);
                io.perSource.computeIfPresent(sourceOf(key), (k, n) -> n <= 1 ? null : n - 1);
                if (core != null) core.onClientClosed(key);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();  // TLS failures, resets: the connection (and its allocation) ends
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    private final class RelayHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            Allocation a = ctx.channel().attr(ALLOCATION).get();
            if (a == null) return;
            try {
                core.onPeerPacket(a, p.sender(), p.content(), System.currentTimeMillis());
            } catch (RuntimeException e) {
                bug(e);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            io.flushAll();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from a peer and the like: ignore
        }
    }

    /** The per-source key of a stream connection: the IPv4 address, or the /64 of an IPv6 address. */
    private static java.nio.ByteBuffer sourceOf(ClientKey key) {
        byte[] a = key.client().getAddress().getAddress();
        return java.nio.ByteBuffer.wrap(a, 0, a.length == 16 ? 8 : 4).slice();
    }

    /** The core's view of the sockets; used on the loop thread only. */
    private final class EdgeIo implements TurnIo {
        final Map<ClientKey, Channel> connections = new HashMap<>();
        final Map<java.nio.ByteBuffer, Integer> perSource = new HashMap<>();
        final List<Channel> dirty = new ArrayList<>();
        final Bootstrap relayBootstrap;

        EdgeIo() {
            relayBootstrap = new Bootstrap().group(loop)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .handler(new RelayHandler());
            if (epoll) batchReceive(relayBootstrap);
        }

        @Override
        public ByteBufAllocator alloc() {
            return ByteBufAllocator.DEFAULT;
        }

        @Override
        public void sendToClient(ClientKey client, ByteBuf message) {
            Channel ch = client.transport() == ClientKey.UDP ? udp : connections.get(client);
            if (ch == null || !ch.isActive()) {
                message.release();
                return;
            }
            if (client.transport() == ClientKey.UDP) {
                ch.write(new DatagramPacket(message, client.client()), ch.voidPromise());
                markDirty(ch);
            } else if (client.transport() == ClientKey.TLS) {
                // one message per TLS record: some clients (coturn's uclient) take each SSL_read as one message
                ch.writeAndFlush(message, ch.voidPromise());
            } else {
                ch.write(message, ch.voidPromise());
                markDirty(ch);
            }
        }

        @Override
        public void sendToPeer(Object relay, InetSocketAddress peer, ByteBuf data) {
            Channel ch = (Channel) relay;
            ch.write(new DatagramPacket(data, peer), ch.voidPromise());
            markDirty(ch);
        }

        private void markDirty(Channel ch) {
            for (int i = 0; i < dirty.size(); i++) if (dirty.get(i) == ch) return;
            dirty.add(ch);
        }

        void flushAll() {
            for (int i = 0; i < dirty.size(); i++) dirty.get(i).flush();
            dirty.clear();
        }

        @Override
        public Object openRelay(InetAddress address, int port, Allocation owner) {
            // On the loop thread, register and bind complete synchronously, so the answer to Allocate is exact.
            ChannelFuture reg = relayBootstrap.register();
            Channel ch = reg.channel();
            if (!reg.isDone() || !reg.isSuccess()) {
                if (!reg.isDone()) ch.close();
                return null;
            }
            ch.attr(ALLOCATION).set(owner);
            ChannelFuture bind = ch.bind(new InetSocketAddress(address, port));
            if (!bind.isDone() || !bind.isSuccess()) {
                ch.close();
                return null;
            }
            return ch;
        }

        @Override
        public void closeRelay(Object relay) {
            Channel ch = (Channel) relay;
            ch.attr(ALLOCATION).set(null);
            ch.close();
        }
    }
}
