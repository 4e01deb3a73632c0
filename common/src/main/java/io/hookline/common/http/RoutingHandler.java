package io.hookline.common.http;

import io.hookline.common.kafka.KafkaUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns each complete request into a route call and its outcome into one response; shared by all channels. */
@ChannelHandler.Sharable
final class RoutingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingHandler.class);

    private final Router router;
    private final ExecutorService workers;
    private final MeterRegistry meters;
    private final AtomicInteger inFlight;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    RoutingHandler(Router router, ExecutorService workers, MeterRegistry meters, AtomicInteger inFlight) {
        this.router = router;
        this.workers = workers;
        this.meters = meters;
        this.inFlight = inFlight;
    }

    private static final AttributeKey<ResponseSequencer> SEQUENCER = AttributeKey.valueOf("hookline.responseSequencer");

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().attr(SEQUENCER).set(new ResponseSequencer());
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        long start = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        ResponseSequencer sequencer = ctx.channel().attr(SEQUENCER).get();
        long ticket = sequencer.take();
        if (msg.decoderResult().isFailure()) {
            // A malformed head (bad header, oversize line): answer and close, the stream position is unknown.
            HttpResponse bad = HttpResponse.problem(ProblemException.badRequest(
                    "malformed HTTP request: " + msg.decoderResult().cause().getMessage(), null));
            sequencer.finish(ticket, () -> write(ctx, start, "unmatched", msg.method().name(), bad, false));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        String method = msg.method().name();
        Router.Match match;
        try {
            match = router.match(method, uri.path());
        } catch (ProblemException e) {
            sequencer.finish(ticket, () -> write(ctx, start, "unmatched", method, HttpResponse.problem(e), keepAlive));
            return;
        }
        // The headers are not copied: releasing the request frees only its content, and nothing changes a
        // received request's headers afterwards. The body is copied, since its buffer is released on return.
        HttpRequest request = new HttpRequest(method, uri.path(), match.pathParams(), uri.parameters(),
                msg.headers(), ByteBufUtil.getBytes(msg.content()));
        inFlight.incrementAndGet();
        CompletionStage<HttpResponse> outcome;
        if (match.blocking()) {
            CompletableFuture<HttpResponse> future = new CompletableFuture<>();
            try {
                workers.execute(() -> call(match, request).whenComplete((r, e) -> {
                    if (e != null) {
                        future.completeExceptionally(e);
                    } else {
                        future.complete(r);
                    }
                }));
            } catch (RejectedExecutionException e) {
                future.completeExceptionally(new KafkaUnavailableException("server is shutting down", e));
            }
            outcome = future;
        } else {
            outcome = call(match, request);
        }
        outcome.whenComplete((response, error) -> {
            inFlight.decrementAndGet();
            HttpResponse answer = error == null ? response : toResponse(error, method, uri.path());
            Runnable writeAnswer = () -> write(ctx, start, match.template(), method, answer, keepAlive);
            if (ctx.executor().inEventLoop()) {
                sequencer.finish(ticket, writeAnswer);
            } else {
                ctx.executor().execute(() -> sequencer.finish(ticket, writeAnswer));
            }
        });
    }

    private static CompletionStage<HttpResponse> call(Router.Match match, HttpRequest request) {
        try {
            return match.handler().handle(request);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static HttpResponse toResponse(Throwable error, String method, String path) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProblemException problem) {
            return HttpResponse.problem(problem);
        }
        if (cause instanceof KafkaUnavailableException) {
            LOG.warn("{} {} failed: Kafka unavailable: {}", method, path, cause.getMessage());
            return HttpResponse.problem(ProblemException.unavailable("Kafka is unavailable right now; retry later", 5));
        }
        if (cause instanceof DependencyUnavailableException) {
            LOG.warn("{} {} failed: {}", method, path, cause.getMessage());
            return HttpResponse.problem(ProblemException.unavailable(cause.getMessage(), 5));
        }
        LOG.error("{} {} failed", method, path, cause);
        return HttpResponse.problem(new ProblemException(
                Problem.of(500, "internal", "Internal error", "an unexpected error occurred; it has been logged", null)));
    }

    private void write(ChannelHandlerContext ctx, long start, String template, String method, HttpResponse response,
                       boolean keepAlive) {
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()),
                Unpooled.wrappedBuffer(response.body()));
        response.headers().forEach(out.headers()::set);
        if (response.contentType() != null) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        HttpUtil.setKeepAlive(out, keepAlive);
        var future = ctx.writeAndFlush(out);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        timer(method, template, response.status()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** The request timer of a method, route and status; looked up once, not built and registered per request. */
    private Timer timer(String method, String template, int status) {
        return timers.computeIfAbsent(new TimerKey(method, template, status), key -> Timer.builder(
                        "hookline.http.server.requests")
                .description("HTTP requests served, by route template and status")
                .tag("method", key.method()).tag("route", key.template()).tag("status", Integer.toString(key.status()))
                .register(meters));
    }

    private record TimerKey(String method, String template, int status) {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes from clients are routine; the connection is simply dropped.
        LOG.debug("connection error: {}", cause.toString());
        ctx.close();
    }
}
