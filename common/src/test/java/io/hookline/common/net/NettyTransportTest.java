package io.hookline.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.ConfigException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

    @Test
    void autoPicksEpollExactlyWhereItsNativeLibraryLoads() {
        assertThat(NettyTransport.fromSetting(null))
                .isEqualTo(Epoll.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO);
        assertThat(NettyTransport.fromSetting(" AUTO ")).isEqualTo(NettyTransport.fromSetting("auto"));
    }

    @Test
    void nioIsAlwaysAvailable() {
        assertThat(NettyTransport.fromSetting("nio")).isEqualTo(NettyTransport.NIO);
    }

    @Test
    void epollWhereItCannotLoadStopsStartUpNamingTheVariable() {
        if (Epoll.isAvailable()) {
            assertThat(NettyTransport.fromSetting("epoll")).isEqualTo(NettyTransport.EPOLL);
        } else {
            assertThatThrownBy(() -> NettyTransport.fromSetting("epoll")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("HOOKLINE_IO_TRANSPORT");
        }
    }

    @Test
    void aTypoStopsStartUpWithOneLineNamingTheVariable() {
        ConfigDef def = new ConfigDef();
        NettyTransport.define(def);
        assertThatThrownBy(() -> def.parse(Map.of("HOOKLINE_IO_TRANSPORT", "epol")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HOOKLINE_IO_TRANSPORT")
                .hasMessageContaining("auto, epoll or nio");
        def.parse(Map.of("HOOKLINE_IO_TRANSPORT", "nio"));
        assertThat(def.describe()).contains("HOOKLINE_IO_TRANSPORT (default: auto)");
    }

    /** Both transports carry bytes both ways over loopback with the channel classes and loops they hand out. */
    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void serverAndClientOfOneTransportTalk(NettyTransport transport) throws Exception {
        if (transport == NettyTransport.EPOLL && !Epoll.isAvailable()) {
            assertThat(Epoll.unavailabilityCause()).isNotNull();
            return;
        }
        EventLoopGroup group = transport.newGroup(1, r -> new Thread(r, "transport-test"));
        try {
            Channel server = new ServerBootstrap().group(group).channel(transport.serverSocketChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg); // echo
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(transport.socketChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            echoed.complete(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                            ((ByteBuf) msg).release();
                        }
                    })
                    .connect(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()))
                    .sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
