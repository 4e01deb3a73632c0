package io.hookline.common.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline for receiving one whole request. It starts with the first byte of the request (so a client
 * trickling its head is cut off too, not only one trickling its body) and is cancelled when the request is
 * complete. One instance per connection, used from its event loop only.
 */
final class RequestDeadline {
    private final long timeoutMillis;
    private ScheduledFuture<?> pending;

    RequestDeadline(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    void startIfIdle(ChannelHandlerContext ctx) {
        if (pending == null) {
            pending = ctx.executor().schedule(() -> {
                ctx.channel().close();
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    boolean isRunning() {
        return pending != null;
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** Sits before the HTTP decoder: any received byte while no request is in progress starts the deadline. */
    static final class FirstByteHandler extends ChannelInboundHandlerAdapter {
        private final RequestDeadline deadline;

        FirstByteHandler(RequestDeadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                deadline.startIfIdle(ctx);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            deadline.cancel();
            super.channelInactive(ctx);
        }
    }
}
