package io.hookline.common.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that hold resources without making progress: a request whose head and body are not fully
 * received within the request timeout (slow-loris clients trickling bytes), and a keep-alive connection idle
 * between requests. A connection waiting for its own response is never closed as idle.
 */
final class ConnectionTimeoutHandler extends ChannelDuplexHandler {
    private final long requestTimeoutMillis;
    private ScheduledFuture<?> requestDeadline;
    private int awaitingResponse;

    ConnectionTimeoutHandler(Duration requestTimeout) {
        this.requestTimeoutMillis = requestTimeout.toMillis();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest && requestDeadline == null) {
            requestDeadline = ctx.executor().schedule(() -> {
                ctx.close();
            }, requestTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        if (msg instanceof LastHttpContent) {
            cancelDeadline();
            awaitingResponse++;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent && awaitingResponse > 0) {
            awaitingResponse--;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && awaitingResponse == 0 && requestDeadline == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    private void cancelDeadline() {
        if (requestDeadline != null) {
            requestDeadline.cancel(false);
            requestDeadline = null;
        }
    }
}
