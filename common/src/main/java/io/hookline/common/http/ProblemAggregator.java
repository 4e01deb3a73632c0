package io.hookline.common.http;

import io.hookline.common.json.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Aggregates request bodies up to the limit and answers an oversized one with a 413 problem document before any
 * body byte is buffered. A client is usually still writing its body when that answer goes out; closing at once
 * resets it mid-write and it never sees the 413, so a body of declared length up to {@link #DISCARD_LIMIT} is
 * read and thrown away (the aggregator drops the content of an oversized message) and the connection stays open.
 * Larger or unknown-length bodies are cut off.
 */
final class ProblemAggregator extends HttpObjectAggregator {
    static final long DISCARD_LIMIT = 8L * 1024 * 1024;
    private final int maxContentLength;

    ProblemAggregator(int maxContentLength) {
        super(maxContentLength);
        this.maxContentLength = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        byte[] body = Json.write(Problem.of(413, "payload-too-large", "Payload too large",
                "the request body exceeds the limit of " + maxContentLength + " bytes", null));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.CONTENT_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        long declared = HttpUtil.getContentLength(oversized, -1L);
        if (HttpUtil.isKeepAlive(oversized) && declared >= 0 && declared <= DISCARD_LIMIT) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
