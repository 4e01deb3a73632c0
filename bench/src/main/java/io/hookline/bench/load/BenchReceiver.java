package io.hookline.bench.load;

import io.hookline.common.net.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fast local endpoint both Hookline and the direct baseline post to, on 127.0.0.1: drains the body, answers 204,
 * and for webhook deliveries (path {@code /hook/...}) records the arrival time of each (webhook-id, subscription)
 * pair, counting repeats as duplicates. It does not verify signatures: that is the unit tests' job, and checking
 * here would make the receiver, not Hookline, the thing measured. For the same reason it is a bare Netty pipeline
 * (no aggregation, one shared 204) and keeps every connection open: the JDK's {@code HttpServer} cost a quarter of
 * the CPU of a delivery benchmark and closed connections beyond 200 idle ones.
 */
public final class BenchReceiver implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;
    /** "eventId subscriptionId" → System.nanoTime() of the first arrival. */
    private volatile Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicLong direct = new AtomicLong();
    private final AtomicLong firstArrival = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong();

    private BenchReceiver(int threads) throws InterruptedException {
        NettyTransport transport = NettyTransport.configured();
        this.group = transport.newGroup(threads, r -> {
            Thread t = new Thread(r, "bench-receiver");
            t.setDaemon(true);
            return t;
        });
        ChannelHandler exchange = new Exchange();
        this.server = new ServerBootstrap().group(group).channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(exchange);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public static BenchReceiver start(int threads) throws IOException {
        try {
            return new BenchReceiver(threads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the receiver", e);
        }
    }

    /** Records each request when its head arrives and answers once its body has been read. */
    @ChannelHandler.Sharable
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpRequest request) {
                long now = System.nanoTime();
                if (request.uri().startsWith("/hook/")) {
                    String id = request.headers().get("webhook-id");
                    String subscription = request.headers().get("hookline-subscription");
                    if (arrivals.putIfAbsent(id + ' ' + subscription, now) != null) {
                        duplicates.incrementAndGet();
                    }
                    firstArrival.compareAndSet(0, now);
                    lastArrival.accumulateAndGet(now, Math::max);
                } else {
                    direct.incrementAndGet();
                }
                ctx.channel().attr(KEEP_ALIVE).set(HttpUtil.isKeepAlive(request));
            }
            if (message instanceof LastHttpContent) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.NO_CONTENT);
                if (Boolean.FALSE.equals(ctx.channel().attr(KEEP_ALIVE).get())) {
                    response.headers().set(HttpHeaderNames.CONNECTION, "close");
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.writeAndFlush(response);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final AttributeKey<Boolean> KEEP_ALIVE = AttributeKey.valueOf("bench-receiver-keep-alive");

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Distinct (event, subscription) pairs delivered since the last {@link #reset()}. */
    public int delivered() {
        return arrivals.size();
    }

    public Map<String, Long> arrivals() {
        return arrivals;
    }

    public int duplicates() {
        return duplicates.get();
    }

    public long directRequests() {
        return direct.get();
    }

    /** System.nanoTime() of the first webhook delivery since the last {@link #reset()}, 0 if none. */
    public long firstArrivalNanos() {
        return firstArrival.get();
    }

    public long lastArrivalNanos() {
        return lastArrival.get();
    }

    /** Subscriptions that received at least one of {@code eventId}. */
    public long subscriptionsThatReceived(String eventId) {
        String prefix = eventId + ' ';
        return arrivals.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** Forgets everything recorded (between warm-up and measurement). */
    public void reset() {
        arrivals = new ConcurrentHashMap<>();
        duplicates.set(0);
        direct.set(0);
        firstArrival.set(0);
        lastArrival.set(0);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
