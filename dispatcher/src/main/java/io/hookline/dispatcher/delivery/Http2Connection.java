package io.hookline.dispatcher.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection to an origin that offered {@code h2}, shared by every request to that origin: each request
 * is a stream. No more streams are open at once than the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} allows;
 * requests beyond that wait here for a stream to close, their response timeout already running. Streams are opened
 * only once the server's first SETTINGS arrived, since until then its limit is unknown. All state is touched on the
 * connection's event loop.
 */
final class Http2Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Http2Connection.class);

    /** Sends a request again from scratch: used for requests the server never processed. */
    interface Resend {
        void resend(WebhookRequest request, long start, CompletableFuture<HttpExchange> result);
    }

    private final Channel channel;
    private final Http2FrameCodec codec;
    private final String origin;
    private final Resend resend;
    private final ArrayDeque<Stream> waiting = new ArrayDeque<>();
    private int open;
    private boolean settingsReceived;
    /** False once the connection closed or the server said GOAWAY: new requests need another connection. */
    private volatile boolean usable = true;

    Http2Connection(Channel channel, Http2FrameCodec codec, String origin, Resend resend) {
        this.channel = channel;
        this.codec = codec;
        this.origin = origin;
        this.resend = resend;
        channel.closeFuture().addListener(closed -> {
            usable = false;
            drainWaiting();
        });
    }

    /** Takes no more requests; closes once the streams in flight are answered. */
    void close() {
        usable = false;
        channel.eventLoop().execute(() -> {
            if (open == 0) {
                channel.close();
            }
        });
    }

    boolean isUsable() {
        return usable && channel.isActive();
    }

    /** The handler at the end of the connection's pipeline: watches for GOAWAY and idleness. */
    ChannelInboundHandlerAdapter watcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (msg instanceof Http2SettingsFrame && !settingsReceived) {
                        settingsReceived = true; // the codec has applied its limits before passing it on
                        openWaiting();
                    } else if (msg instanceof Http2GoAwayFrame goAway) {
                        usable = false;
                        LOG.debug("{} sent GOAWAY (last stream {}): new requests use a new connection", origin,
                                goAway.lastStreamId());
                        if (open == 0) {
                            ctx.close();
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof IdleStateEvent && open == 0 && waiting.isEmpty()) {
                    usable = false;
                    ctx.close();
                } else {
                    ctx.fireUserEventTriggered(event);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("HTTP/2 connection to {} failed: {}", origin, WebhookHttpClient.describe(cause));
                ctx.close();
            }
        };
    }

    /** Sends {@code request} on a stream of this connection, now or when a stream slot frees up. */
    void submit(WebhookRequest request, long start, CompletableFuture<HttpExchange> result) {
        channel.eventLoop().execute(() -> {
            if (!isUsable()) {
                resend.resend(request, start, result);
                return;
            }
            Stream stream = new Stream(request, start, result);
            long remaining = request.timeout().toNanos() - (System.nanoTime() - start);
            stream.timeout = channel.eventLoop().schedule(() -> stream.fail(HttpExchange.Failure.TIMEOUT,
                    "no complete response from " + origin + " within " + request.timeout().toMillis() + " ms"),
                    Math.max(0, remaining), TimeUnit.NANOSECONDS);
            if (settingsReceived && open < maxStreams()) {
                open(stream);
            } else {
                waiting.addLast(stream);
            }
        });
    }

    /** The server's limit on concurrent streams we open (unlimited until its SETTINGS arrive). */
    private int maxStreams() {
        return codec.connection().local().maxActiveStreams();
    }

    private void open(Stream stream) {
        open++;
        new Http2StreamChannelBootstrap(channel).handler(stream).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                streamClosed();
                stream.fail(HttpExchange.Failure.IO, "cannot open a stream to " + origin + ": "
                        + WebhookHttpClient.describe(opened.cause()));
                return;
            }
            Http2StreamChannel child = (Http2StreamChannel) opened.getNow();
            child.closeFuture().addListener(closed -> streamClosed());
            if (stream.done) {
                child.close(); // timed out while the stream was being opened
                return;
            }
            stream.channel = child;
            Http2Headers headers;
            try {
                headers = headersOf(stream.request);
            } catch (RuntimeException e) {
                stream.fail(HttpExchange.Failure.INVALID_REQUEST, "request headers are not valid for HTTP/2: "
                        + e.getMessage());
                return;
            }
            child.write(new DefaultHttp2HeadersFrame(headers, false));
            child.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(stream.request.body()), true))
                    .addListener(written -> {
                        if (!written.isSuccess()) {
                            stream.fail(HttpExchange.Failure.IO, "cannot send the request to " + origin + ": "
                                    + WebhookHttpClient.describe(written.cause()));
                        }
                    });
        });
    }

    private void streamClosed() {
        open--;
        openWaiting();
    }

    private void openWaiting() {
        while (!waiting.isEmpty() && settingsReceived && open < maxStreams() && isUsable()) {
            Stream next = waiting.pollFirst();
            if (!next.done) {
                open(next);
            }
        }
        if (!usable && open == 0 && waiting.isEmpty()) {
            channel.close(); // after GOAWAY: the last stream is answered
        } else if (!usable) {
            drainWaiting();
        }
    }

    /** Requests still waiting for a stream on a connection that can take no more go to another connection. */
    private void drainWaiting() {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::drainWaiting);
            return;
        }
        Stream next;
        while ((next = waiting.pollFirst()) != null) {
            if (!next.done) {
                next.done = true;
                next.timeout.cancel(false);
                resend.resend(next.request, next.start, next.result);
            }
        }
    }

    private static Http2Headers headersOf(WebhookRequest request) {
        URI url = request.url();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path = path + "?" + url.getRawQuery();
        }
        Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme(url.getScheme()).path(path)
                .authority(url.getPort() == -1 ? url.getHost() : url.getHost() + ":" + url.getPort());
        for (Map.Entry<String, String> header : request.headers()) {
            headers.add(header.getKey(), header.getValue());
        }
        headers.setInt("content-length", request.body().length);
        return headers;
    }

    /** One request/response on one stream; touched on the connection's event loop only. */
    private final class Stream extends ChannelInboundHandlerAdapter {
        final WebhookRequest request;
        final long start;
        final CompletableFuture<HttpExchange> result;
        ScheduledFuture<?> timeout;
        Http2StreamChannel channel;
        boolean done;
        private int status;
        private String retryAfter;
        private final ByteArrayOutputStream excerpt = new ByteArrayOutputStream();

        Stream(WebhookRequest request, long start, CompletableFuture<HttpExchange> result) {
            this.request = request;
            this.start = start;
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    CharSequence code = frame.headers().status();
                    int parsed = code == null ? 0 : parseStatus(code);
                    if (parsed >= 100 && parsed < 200 && !frame.isEndStream()) {
                        return; // informational; the real response follows
                    }
                    if (status == 0) {
                        if (parsed < 200) {
                            fail(HttpExchange.Failure.IO, "malformed response from " + origin + ": status " + code);
                            return;
                        }
                        status = parsed;
                        CharSequence after = frame.headers().get("retry-after");
                        retryAfter = after == null ? null : after.toString();
                    }
                    if (frame.isEndStream()) {
                        succeed();
                    }
                } else if (msg instanceof Http2DataFrame frame) {
                    ByteBuf bytes = frame.content();
                    int take = Math.min(bytes.readableBytes(), WebhookHttpClient.EXCERPT_BYTES - excerpt.size());
                    if (take > 0) {
                        byte[] chunk = new byte[take];
                        bytes.getBytes(bytes.readerIndex(), chunk);
                        excerpt.write(chunk, 0, take);
                    }
                    if (frame.isEndStream()) {
                        succeed();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private int parseStatus(CharSequence code) {
            try {
                return Integer.parseInt(code.toString());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private void succeed() {
            if (done) {
                return;
            }
            if (status == 0) {
                fail(HttpExchange.Failure.IO, "response from " + origin + " ended without a status");
                return;
            }
            done = true;
            timeout.cancel(false);
            String body = excerpt.size() == 0 ? null : excerpt.toString(StandardCharsets.UTF_8);
            // Not closed here: the codec closes the stream (and this channel) once both sides ended it, and only
            // then does the server count it as gone; closing first would free our slot before the server's.
            result.complete(HttpExchange.response(status, retryAfter, body, WebhookHttpClient.elapsed(start)));
        }

        void fail(HttpExchange.Failure kind, String error) {
            if (done) {
                return;
            }
            done = true;
            timeout.cancel(false);
            if (channel != null) {
                channel.close(); // resets the stream; the connection and its other streams go on
            }
            result.complete(HttpExchange.failed(kind, error, WebhookHttpClient.elapsed(start)));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (!(event instanceof Http2GoAwayFrame goAway)) {
                ctx.fireUserEventTriggered(event);
                return;
            }
            try {
                if (status == 0 && !done && channel != null && channel.stream().id() > goAway.lastStreamId()) {
                    // The server will not process this stream: sending it again elsewhere cannot duplicate it.
                    done = true;
                    timeout.cancel(false);
                    channel.close();
                    resend.resend(request, start, result);
                }
            } finally {
                goAway.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(HttpExchange.Failure.IO, "stream to " + origin + " closed before the response was complete");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(HttpExchange.Failure.IO, "stream to " + origin + " failed: " + WebhookHttpClient.describe(cause));
        }
    }
}
