package dev.chorus.signaling.http;

import dev.chorus.signaling.metrics.ChorusMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS + WSS listener. Pipeline per connection:
 * connection cap → TLS sniffer (becomes the TLS handler) → HTTP codec (line/header limits) → body-limit
 * aggregator → request deadline → dispatcher (routes, or hands /v1/ws upgrades to the WebSocket endpoint).
 */
public final class ChorusHttpServer implements AutoCloseable {
    private final HttpSettings settings;
    private final SslContext ssl;
    private final Router router;
    private final WebSocketEndpoint ws;
    private final ChorusMetrics metrics;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ExecutorService blocking;
    private Channel serverChannel;
    private volatile boolean running;

    public ChorusHttpServer(HttpSettings settings, SslContext ssl, Router router, WebSocketEndpoint ws,
                            ChorusMetrics metrics) {
        this.settings = Objects.requireNonNull(settings);
        this.ssl = Objects.requireNonNull(ssl, "TLS is required");
        this.router = Objects.requireNonNull(router);
        this.ws = ws;
        this.metrics = Objects.requireNonNull(metrics);
    }

    /** Binds the listener; on failure everything started so far is stopped again. */
    public synchronized InetSocketAddress start() throws IOException {
        if (running) throw new IllegalStateException("already started");
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                NioIoHandler.newFactory());
        blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chorus-http-", 0).factory());
        Semaphore inFlight = new Semaphore(settings.maxInFlightRequests());
        ConnectionCapHandler cap = new ConnectionCapHandler(settings.maxConnectionsPerIp(), metrics);
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(8192);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("cap", cap);
                        p.addLast("sniff", new TlsSniffer(ssl, settings.tlsHandshakeTimeout(), metrics));
                        p.addLast("http", new HttpServerCodec(decoderConfig));
                        p.addLast("aggregate", new BodyLimitAggregator(settings.maxBodyBytes()));
                        p.addLast("deadline", new RequestDeadlineHandler(settings.requestTimeout()));
                        p.addLast("dispatch", new HttpDispatcher(router, ws, blocking, inFlight, metrics,
                                settings.hstsMaxAgeSeconds()));
                    }
                });
        try {
            serverChannel = b.bind(settings.bindAddress(), settings.port()).sync().channel();
        } catch (Exception e) {
            close();
            throw new IOException("cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        running = true;
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public boolean isRunning() {
        return running && serverChannel != null && serverChannel.isActive();
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        running = false;
        if (serverChannel != null) serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (boss != null) boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (workers != null) workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (blocking != null) blocking.shutdownNow();
    }
}
