package io.hookline.common.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes connections that hold resources without making progress: a request not fully received within the
 * request timeout (slow-loris clients trickling head or body; the deadline itself starts at the first byte, see
 * {@link RequestDeadline}), and a keep-alive connection idle between requests. A connection waiting for its own
 * response is never closed as idle.
 */
final class ConnectionTimeoutHandler extends ChannelDuplexHandler {
    private final RequestDeadline deadline;
    private int awaitingResponse;
    /** Responses sent before their request was fully read (a 413 while the body is still arriving). */
    private int answeredEarly;

    ConnectionTimeoutHandler(RequestDeadline deadline) {
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof LastHttpContent) {
            deadline.cancel();
            if (answeredEarly > 0) {
                answeredEarly--;
            } else {
                awaitingResponse++;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent) {
            if (awaitingResponse > 0) {
                awaitingResponse--;
            } else {
                answeredEarly++;
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && awaitingResponse == 0 && !deadline.isRunning()) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
