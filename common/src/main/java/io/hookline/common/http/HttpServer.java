package io.hookline.common.http;

import io.hookline.common.config.ConfigException;
import io.hookline.common.net.NettyTransport;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.Errors;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server every Hookline service runs on (Netty): bounded request size, request and idle timeouts,
 * keep-alive, routes from a {@link Router}, plus {@code /healthz}, {@code /readyz} and {@code /metrics}.
 * {@link #close()} stops accepting, lets in-flight requests finish within the drain deadline, then stops.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final Settings settings;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ExecutorService blockingPool;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Channel serverChannel;

    /** Server knobs; {@link #defaults(String, int)} suits the management APIs. */
    public record Settings(String service, String host, int port, int maxContentLength, Duration requestTimeout,
                           Duration idleTimeout, Duration drainTimeout, int blockingThreads, int ioThreads) {
        public static Settings defaults(String service, int port) {
            return new Settings(service, "0.0.0.0", port, 256 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(60),
                    Duration.ofSeconds(20), 16, 0);
        }

        public Settings withHost(String newHost) {
            return new Settings(service, newHost, port, maxContentLength, requestTimeout, idleTimeout, drainTimeout,
                    blockingThreads, ioThreads);
        }

        public Settings withMaxContentLength(int bytes) {
            return new Settings(service, host, port, bytes, requestTimeout, idleTimeout, drainTimeout,
                    blockingThreads, ioThreads);
        }

        public Settings withTimeouts(Duration request, Duration idle) {
            return new Settings(service, host, port, maxContentLength, request, idle, drainTimeout, blockingThreads,
                    ioThreads);
        }
    }

    private HttpServer(Settings settings, Router router, List<ReadinessCheck> readiness,
                       PrometheusMeterRegistry meters) {
        this.settings = settings;
        addOperationalRoutes(router, readiness, meters);
        NettyTransport transport = NettyTransport.configured();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workerGroup = new MultiThreadIoEventLoopGroup(settings.ioThreads(), transport.ioHandlerFactory());
        this.blockingPool = new ThreadPoolExecutor(settings.blockingThreads(), settings.blockingThreads(), 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, settings.service() + "-http-worker");
            t.setDaemon(true);
            return t;
        });
        RoutingHandler routing = new RoutingHandler(router, blockingPool, meters, inFlight);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RequestDeadline deadline = new RequestDeadline(settings.requestTimeout().toMillis());
                        // No HttpServerExpectContinueHandler: the aggregator answers "Expect: 100-continue" itself,
                        // with 413 instead of 100 when the declared body is over the limit.
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new RequestDeadline.FirstByteHandler(deadline))
                                .addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
                                .addLast(new ConnectionTimeoutHandler(deadline))
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new ProblemAggregator(settings.maxContentLength()))
                                .addLast(routing);
                    }
                });
        try {
            this.serverChannel = bootstrap.bind(settings.host(), settings.port()).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            // The JDK's NIO reports a taken port as a BindException, Netty's epoll as a native IOException.
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || e instanceof Errors.NativeIoException) {
                throw new ConfigException("HOOKLINE_HTTP_PORT", "cannot listen on port " + settings.port()
                        + " (" + e.getMessage() + ")");
            }
            throw new ConfigException("HOOKLINE_HTTP_PORT", "cannot listen on port " + settings.port() + ": " + e);
        }
        LOG.info("{} listening on http://{}:{}", settings.service(), settings.host(), port());
    }

    public static HttpServer start(Settings settings, Router router, List<ReadinessCheck> readiness,
                                   PrometheusMeterRegistry meters) {
        return new HttpServer(settings, router, List.copyOf(readiness), meters);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public int inFlight() {
        return inFlight.get();
    }

    private static void addOperationalRoutes(Router router, List<ReadinessCheck> readiness,
                                             PrometheusMeterRegistry meters) {
        router.addAsync("GET", "/healthz", request -> java.util.concurrent.CompletableFuture.completedFuture(
                HttpResponse.json(200, Map.of("status", "ok"))));
        router.add("GET", "/readyz", request -> {
            Map<String, String> checks = new LinkedHashMap<>();
            List<String> failing = new ArrayList<>();
            for (ReadinessCheck check : readiness) {
                boolean ok;
                try {
                    ok = check.isReady();
                } catch (RuntimeException e) {
                    ok = false;
                }
                checks.put(check.name(), ok ? "ready" : "not ready");
                if (!ok) {
                    failing.add(check.name());
                }
            }
            return HttpResponse.json(failing.isEmpty() ? 200 : 503,
                    Map.of("status", failing.isEmpty() ? "ready" : "not ready", "checks", checks));
        });
        router.add("GET", "/metrics", request -> HttpResponse.text(200,
                "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // shutdown path only: polling an in-flight counter, no request waits on this
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} stopped with {} requests still in flight after {}", settings.service(), inFlight.get(),
                    settings.drainTimeout());
        }
        shutdownGroups();
        LOG.info("{} HTTP server stopped", settings.service());
    }

    private void shutdownGroups() {
        blockingPool.shutdown();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
