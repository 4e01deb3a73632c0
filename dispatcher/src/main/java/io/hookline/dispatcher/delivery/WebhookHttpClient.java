package io.hookline.dispatcher.delivery;

import io.hookline.common.net.DestinationPolicy;
import io.hookline.common.net.DestinationRejectedException;
import io.hookline.common.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client that sends webhooks, on Netty: never blocks the caller, bounds connecting (DNS + TCP + TLS) and the
 * whole response by timeouts, keeps at most {@value #EXCERPT_BYTES} bytes of a response body, and does not follow
 * redirects. Every new connection resolves the host itself and checks the address it connects to against the
 * {@link DestinationPolicy}, so a host that passed the check at registration cannot be re-pointed at an internal
 * address later (DNS rebinding).
 *
 * <p>Plain {@code http} origins get HTTP/1.1 with pooled keep-alive connections. {@code https} origins are offered
 * {@code h2} and {@code http/1.1} by ALPN: an origin that picks {@code h2} gets one shared connection carrying every
 * request as a stream ({@link Http2Connection}); one that picks HTTP/1.1 (or does not speak ALPN) gets the pool.
 * Until an https origin's first connection has negotiated, further requests to it wait for that one instead of
 * opening connections that HTTP/2 would not need.
 */
public final class WebhookHttpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookHttpClient.class);

    public static final int EXCERPT_BYTES = 4096;
    /**
     * Idle connections kept per origin. Many subscriptions often share one origin (100 of them at the default
     * maxInFlight of 10 keep 1 000 requests in flight); a cap below that closed connections after a burst of answers
     * only to open them again for the next requests (the benchmark saw a new connection per 6 deliveries at 256).
     * Unused ones still close after {@link #IDLE_TIMEOUT}.
     */
    private static final int MAX_IDLE_PER_ORIGIN = 2048;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SslContext ssl;
    private final DestinationPolicy policy;
    private final Duration connectTimeout;
    private final ExecutorService resolver;
    private final Map<Origin, OriginPool> pools = new ConcurrentHashMap<>();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private final AtomicLong http1Connections = new AtomicLong();
    private final AtomicLong http2Connections = new AtomicLong();

    /** Where connections go; one pool of idle connections each. */
    private record Origin(boolean tls, String host, int port) {
        static Origin of(URI url) {
            boolean tls = url.getScheme().equalsIgnoreCase("https"); // per request: no lower-cased copy
            String host = url.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = url.getPort() != -1 ? url.getPort() : tls ? 443 : 80;
            return new Origin(tls, host, port);
        }

        @Override
        public String toString() {
            return (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private static final class OriginPool {
        private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger idleCount = new AtomicInteger();
        /** The shared connection when the origin speaks HTTP/2. */
        private volatile Http2Connection http2;
        /** Set when the origin chose HTTP/1.1: its requests then open connections in parallel. */
        private volatile boolean http1Only;
        /** A first TLS connection whose protocol is not known yet; guarded by this. */
        private CompletableFuture<Void> negotiating;

        /** Null if the caller may connect now (and, for https, must report the protocol); else what to wait for. */
        synchronized CompletableFuture<Void> awaitNegotiation(boolean tls) {
            if (!tls || http1Only) {
                return null;
            }
            if (negotiating != null) {
                return negotiating;
            }
            negotiating = new CompletableFuture<>();
            return null;
        }

        synchronized void negotiated(Throwable failure) {
            CompletableFuture<Void> waiters = negotiating;
            negotiating = null;
            if (waiters != null) {
                if (failure == null) {
                    waiters.complete(null);
                } else {
                    waiters.completeExceptionally(failure);
                }
            }
        }

        Channel poll() {
            Channel channel;
            while ((channel = idle.pollFirst()) != null) {
                idleCount.decrementAndGet();
                if (channel.isActive()) {
                    return channel;
                }
            }
            return null;
        }

        void release(Channel channel) {
            if (channel.isActive() && idleCount.incrementAndGet() <= MAX_IDLE_PER_ORIGIN) {
                idle.offerFirst(channel); // LIFO: the warmest connection is reused first, cold ones idle out
            } else {
                if (channel.isActive()) {
                    idleCount.decrementAndGet();
                }
                channel.close();
            }
        }

        void closeAll() {
            Channel channel;
            while ((channel = idle.pollFirst()) != null) {
                channel.close();
            }
            Http2Connection shared = http2;
            if (shared != null) {
                shared.close();
            }
        }
    }

    /** Why connecting failed, with the failure kind for classification. */
    private static final class ConnectFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final HttpExchange.Failure kind;

        ConnectFailure(HttpExchange.Failure kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }

    /** A connection ready for requests, with the protocol its pipeline speaks. */
    private record Connected(Channel channel, Http2FrameCodec http2) {
    }

    /**
     * @param ioThreads event loop threads; 0 = Netty's default (two per core)
     */
    public WebhookHttpClient(DestinationPolicy policy, Duration connectTimeout, int ioThreads) {
        this(policy, connectTimeout, ioThreads, null);
    }

    /**
     * @param trust the certificates endpoints are verified against; null = the JVM's default trust store
     */
    public WebhookHttpClient(DestinationPolicy policy, Duration connectTimeout, int ioThreads,
                             TrustManagerFactory trust) {
        this.policy = policy;
        this.connectTimeout = connectTimeout;
        NettyTransport transport = NettyTransport.configured();
        this.group = transport.newGroup(ioThreads, runnable -> {
            Thread thread = new Thread(runnable, "webhook-http");
            thread.setDaemon(true);
            return thread;
        });
        this.bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        try {
            // The JDK provider does ALPN on Java 9+; h2 first, so servers that speak it pick it.
            this.ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(trust)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS is unavailable in this JVM", e);
        }
        // DNS lookups block; they run here, never on an event loop. Bounded: a stuck resolver cannot pile threads.
        this.resolver = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "webhook-dns");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Sends {@code request}; the future always completes normally, with a response or a classified failure. */
    public CompletableFuture<HttpExchange> send(WebhookRequest request) {
        long start = System.nanoTime();
        CompletableFuture<HttpExchange> result = new CompletableFuture<>();
        Origin origin;
        try {
            origin = Origin.of(request.url());
        } catch (RuntimeException e) {
            result.complete(HttpExchange.failed(HttpExchange.Failure.INVALID_REQUEST, "url is not usable: "
                    + request.url(), elapsed(start)));
            return result;
        }
        dispatch(origin, request, start, result);
        return result;
    }

    /** Sends on the origin's HTTP/2 connection, a pooled HTTP/1.1 connection or a new connection. */
    private void dispatch(Origin origin, WebhookRequest request, long start, CompletableFuture<HttpExchange> result) {
        OriginPool pool = pools.computeIfAbsent(origin, o -> new OriginPool());
        Http2Connection shared = pool.http2;
        if (shared != null && shared.isUsable()) {
            shared.submit(request, start, result);
            return;
        }
        Channel idle = pool.poll();
        if (idle != null) {
            exchange(idle, true, origin, pool, request, start, result);
            return;
        }
        CompletableFuture<Void> negotiation = pool.awaitNegotiation(origin.tls());
        if (negotiation != null) {
            negotiation.whenComplete((ok, error) -> {
                if (error == null) {
                    dispatch(origin, request, start, result);
                } else {
                    failConnect(error, start, result); // the same connect would fail the same way
                }
            });
            return;
        }
        connectAndExchange(origin, pool, request, start, result);
    }

    private void connectAndExchange(Origin origin, OriginPool pool, WebhookRequest request, long start,
                                    CompletableFuture<HttpExchange> result) {
        Duration timeout = request.timeout().compareTo(connectTimeout) < 0 ? request.timeout() : connectTimeout;
        connect(origin, timeout).whenComplete((connected, error) -> {
            if (error != null) {
                pool.negotiated(error);
                failConnect(error, start, result);
            } else if (connected.http2() != null) {
                Http2Connection shared = new Http2Connection(connected.channel(), connected.http2(),
                        origin.toString(), (again, started, pending) -> dispatch(origin, again, started, pending));
                connected.channel().pipeline().addLast(shared.watcher());
                Http2Connection previous = pool.http2;
                pool.http2 = shared;
                pool.http1Only = false;
                if (previous != null && previous != shared) {
                    previous.close(); // lost a race with another first connection; its streams finish first
                }
                pool.negotiated(null);
                shared.submit(request, start, result);
            } else {
                if (origin.tls()) {
                    pool.http1Only = true;
                }
                pool.negotiated(null);
                exchange(connected.channel(), false, origin, pool, request, start, result);
            }
        });
    }

    private static void failConnect(Throwable error, long start, CompletableFuture<HttpExchange> result) {
        ConnectFailure failure = error instanceof ConnectFailure cf ? cf
                : new ConnectFailure(HttpExchange.Failure.CONNECT, error.toString());
        result.complete(HttpExchange.failed(failure.kind, failure.getMessage(), elapsed(start)));
    }

    private CompletableFuture<Connected> connect(Origin origin, Duration timeout) {
        CompletableFuture<Connected> connected = new CompletableFuture<>();
        ScheduledFuture<?> deadline = group.next().schedule(() -> connected.completeExceptionally(
                new ConnectFailure(HttpExchange.Failure.CONNECT, "connecting to " + origin + " timed out after "
                        + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        connected.whenComplete((c, e) -> deadline.cancel(false));
        try {
            resolver.execute(() -> resolveAndConnect(origin, timeout, connected));
        } catch (RuntimeException e) {
            connected.completeExceptionally(new ConnectFailure(HttpExchange.Failure.CONNECT,
                    "cannot resolve " + origin.host() + ": client is closing"));
        }
        return connected;
    }

    private void resolveAndConnect(Origin origin, Duration timeout, CompletableFuture<Connected> connected) {
        if (connected.isDone()) {
            return;
        }
        InetAddress target = null;
        DestinationRejectedException rejection = null;
        try {
            for (InetAddress address : InetAddress.getAllByName(origin.host())) {
                try {
                    policy.checkAddress(address);
                    target = address;
                    break;
                } catch (DestinationRejectedException e) {
                    rejection = rejection == null ? e : rejection;
                }
            }
        } catch (UnknownHostException e) {
            connected.completeExceptionally(new ConnectFailure(HttpExchange.Failure.CONNECT,
                    "cannot resolve host " + origin.host()));
            return;
        }
        if (target == null) {
            connected.completeExceptionally(new ConnectFailure(HttpExchange.Failure.REJECTED,
                    rejection != null ? rejection.getMessage() : "host " + origin.host() + " has no address"));
            return;
        }
        InetSocketAddress remote = new InetSocketAddress(target, origin.port());
        ChannelFuture future = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (origin.tls()) {
                            SslHandler tls = ssl.newHandler(ch.alloc(), origin.host(), origin.port());
                            SSLEngine engine = tls.engine();
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS"); // verify the certificate's host
                            engine.setSSLParameters(params);
                            tls.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
                            ch.pipeline().addLast(tls).addLast(new Negotiation(origin, connected));
                        } else {
                            addHttp1(ch);
                        }
                    }
                })
                .connect(remote);
        connectionsOpened.incrementAndGet();
        future.addListener(done -> {
            if (!done.isSuccess()) {
                connected.completeExceptionally(new ConnectFailure(HttpExchange.Failure.CONNECT,
                        "cannot connect to " + origin + " (" + remote.getAddress().getHostAddress() + "): "
                                + describe(done.cause())));
                return;
            }
            Channel channel = future.channel();
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            if (tls == null) {
                http1Connections.incrementAndGet();
                if (!connected.complete(new Connected(channel, null))) {
                    channel.close(); // the connect deadline won
                }
                return;
            }
            // Success is reported by the Negotiation handler once the pipeline speaks the chosen protocol.
            tls.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    connected.completeExceptionally(new ConnectFailure(HttpExchange.Failure.CONNECT,
                            "TLS handshake with " + origin + " failed: " + describe(handshake.cause())));
                    channel.close();
                }
            });
        });
    }

    private void addHttp1(Channel channel) {
        channel.pipeline()
                .addLast(new HttpClientCodec(4096, 32 * 1024, 8192))
                .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .addLast(new ExchangeHandler());
    }

    /**
     * Sets up the pipeline for the protocol ALPN chose ({@code h2}, else HTTP/1.1) and only then reports the
     * connection; bytes arriving meanwhile (the server's SETTINGS) are held until the pipeline is ready.
     */
    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        private final Origin origin;
        private final CompletableFuture<Connected> connected;

        Negotiation(Origin origin, CompletableFuture<Connected> connected) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.origin = origin;
            this.connected = connected;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            Channel channel = ctx.channel();
            Connected ready;
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build();
                channel.pipeline()
                        .addLast(codec)
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                ready = new Connected(channel, codec);
                http2Connections.incrementAndGet();
            } else {
                addHttp1(channel);
                ready = new Connected(channel, null);
                http1Connections.incrementAndGet();
            }
            LOG.debug("connected to {} over {}", origin, protocol);
            if (!connected.complete(ready)) {
                channel.close(); // the connect deadline won
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // reported by the handshake listener, with the origin
        }
    }

    private void exchange(Channel channel, boolean reused, Origin origin, OriginPool pool, WebhookRequest request,
                          long start, CompletableFuture<HttpExchange> result) {
        channel.eventLoop().execute(() -> {
            ExchangeHandler handler = channel.pipeline().get(ExchangeHandler.class);
            if (!channel.isActive() || handler == null || handler.current != null) {
                if (reused) {
                    connectAndExchange(origin, pool, request, start, result);
                } else {
                    result.complete(HttpExchange.failed(HttpExchange.Failure.IO,
                            "connection to " + origin + " closed before the request was sent", elapsed(start)));
                }
                return;
            }
            FullHttpRequest http;
            try {
                http = toHttpRequest(request);
            } catch (IllegalArgumentException e) {
                // Netty refuses a header it cannot send safely; nothing went out, so the connection stays pooled.
                pool.release(channel);
                result.complete(HttpExchange.failed(HttpExchange.Failure.INVALID_REQUEST,
                        "request to " + origin + " cannot be sent: " + e.getMessage(), elapsed(start)));
                return;
            }
            Exchange exchange = new Exchange(channel, reused, origin, pool, request, start, result);
            handler.begin(exchange);
            exchange.timeout = channel.eventLoop().schedule(() -> handler.fail(exchange, HttpExchange.Failure.TIMEOUT,
                    "no complete response from " + origin + " within " + request.timeout().toMillis() + " ms"),
                    request.timeout().toMillis(), TimeUnit.MILLISECONDS);
            channel.writeAndFlush(http).addListener(written -> {
                if (!written.isSuccess()) {
                    handler.fail(exchange, HttpExchange.Failure.IO,
                            "cannot send the request to " + origin + ": " + describe(written.cause()));
                }
            });
        });
    }

    private static FullHttpRequest toHttpRequest(WebhookRequest request) {
        URI url = request.url();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path = path + "?" + url.getRawQuery();
        }
        ByteBuf body = Unpooled.wrappedBuffer(request.body());
        FullHttpRequest http = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
        http.headers().set(HttpHeaderNames.HOST, url.getPort() == -1 ? url.getHost() : url.getHost() + ":" + url.getPort());
        for (Map.Entry<String, String> header : request.headers()) {
            http.headers().add(header.getKey(), header.getValue());
        }
        http.headers().set(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
        http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        return http;
    }

    /** One request/response on one connection; all of its state is touched on the connection's event loop. */
    private final class Exchange {
        final Channel channel;
        final boolean reused;
        final Origin origin;
        final OriginPool pool;
        final WebhookRequest request;
        final long start;
        final CompletableFuture<HttpExchange> result;
        ScheduledFuture<?> timeout;
        boolean responseStarted;

        Exchange(Channel channel, boolean reused, Origin origin, OriginPool pool, WebhookRequest request, long start,
                 CompletableFuture<HttpExchange> result) {
            this.channel = channel;
            this.reused = reused;
            this.origin = origin;
            this.pool = pool;
            this.request = request;
            this.start = start;
            this.result = result;
        }
    }

    /** Reads one response at a time into a capped excerpt; completes or fails the current exchange. */
    private final class ExchangeHandler extends ChannelInboundHandlerAdapter {
        Exchange current;
        private int status;
        private String retryAfter;
        private boolean keepAlive;
        private boolean informational;
        private final ByteArrayOutputStream excerpt = new ByteArrayOutputStream();

        void begin(Exchange exchange) {
            current = exchange;
            status = 0;
            retryAfter = null;
            keepAlive = false;
            informational = false;
            excerpt.reset();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                Exchange exchange = current;
                if (exchange == null) {
                    ctx.close(); // bytes nobody asked for: the connection is not in a known state
                    return;
                }
                if (msg instanceof HttpResponse response) {
                    exchange.responseStarted = true;
                    if (response.decoderResult().isFailure()) {
                        fail(exchange, HttpExchange.Failure.IO, "malformed response from " + exchange.origin + ": "
                                + describe(response.decoderResult().cause()));
                        return;
                    }
                    int code = response.status().code();
                    informational = code >= 100 && code < 200;
                    if (!informational) {
                        status = code;
                        retryAfter = response.headers().get(HttpHeaderNames.RETRY_AFTER);
                        keepAlive = HttpUtil.isKeepAlive(response);
                    }
                }
                if (msg instanceof HttpContent content && current == exchange) {
                    if (content.decoderResult().isFailure()) {
                        fail(exchange, HttpExchange.Failure.IO, "malformed response body from " + exchange.origin
                                + ": " + describe(content.decoderResult().cause()));
                        return;
                    }
                    if (!informational) {
                        ByteBuf bytes = content.content();
                        int take = Math.min(bytes.readableBytes(), EXCERPT_BYTES - excerpt.size());
                        if (take > 0) {
                            byte[] chunk = new byte[take];
                            bytes.getBytes(bytes.readerIndex(), chunk);
                            excerpt.write(chunk, 0, take);
                        }
                    }
                    if (msg instanceof LastHttpContent) {
                        if (informational) {
                            informational = false; // a 100 Continue ends here; the real response follows
                        } else {
                            succeed(exchange);
                        }
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void succeed(Exchange exchange) {
            current = null;
            exchange.timeout.cancel(false);
            String body = excerpt.size() == 0 ? null : excerpt.toString(StandardCharsets.UTF_8);
            HttpExchange done = HttpExchange.response(status, retryAfter, body, elapsed(exchange.start));
            if (keepAlive) {
                exchange.pool.release(exchange.channel);
            } else {
                exchange.channel.close();
            }
            exchange.result.complete(done);
        }

        void fail(Exchange exchange, HttpExchange.Failure kind, String error) {
            if (current != exchange) {
                return; // already finished
            }
            current = null;
            if (exchange.timeout != null) {
                exchange.timeout.cancel(false);
            }
            exchange.channel.close();
            if (exchange.reused && !exchange.responseStarted && kind == HttpExchange.Failure.IO) {
                // The server closed a pooled keep-alive connection as we reused it; that says nothing about the
                // endpoint, so try once more on a fresh connection.
                LOG.debug("pooled connection to {} was closed, retrying on a new one", exchange.origin);
                connectAndExchange(exchange.origin, exchange.pool, exchange.request, exchange.start, exchange.result);
                return;
            }
            exchange.result.complete(HttpExchange.failed(kind, error, elapsed(exchange.start)));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current != null) {
                fail(current, HttpExchange.Failure.IO, "connection to " + current.origin
                        + " closed before the response was complete");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (current != null) {
                fail(current, HttpExchange.Failure.IO, "connection to " + current.origin + " failed: "
                        + describe(cause));
            } else {
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && current == null) {
                ctx.close(); // an idle pooled connection; busy ones are bounded by the response timeout instead
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }
    }

    /** Connections attempted so far; with keep-alive pooling it grows far slower than requests. */
    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /** Connections established that speak HTTP/1.1 (plain or TLS). */
    public long http1ConnectionsOpened() {
        return http1Connections.get();
    }

    /** Connections established that speak HTTP/2 (TLS endpoints that chose {@code h2}). */
    public long http2ConnectionsOpened() {
        return http2Connections.get();
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        pools.values().forEach(OriginPool::closeAll);
        resolver.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
