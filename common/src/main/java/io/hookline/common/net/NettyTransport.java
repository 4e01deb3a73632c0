package io.hookline.common.net;

import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.ConfigException;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The socket implementation under every Netty server and client of Hookline: Linux's native epoll where its library
 * loads (it spends noticeably less CPU per request than the JDK selector, which matters when one dispatcher keeps a
 * thousand connections busy), the JDK's NIO everywhere else. {@code HOOKLINE_IO_TRANSPORT} forces one.
 */
public enum NettyTransport {
    EPOLL,
    NIO;

    public static final String VARIABLE = "HOOKLINE_IO_TRANSPORT";

    /** Declares {@code HOOKLINE_IO_TRANSPORT} so that a typo stops start-up and {@code --help} lists it. */
    public static void define(ConfigDef def) {
        def.define("IO_TRANSPORT", ConfigDef.matching("auto|epoll|nio", "auto, epoll or nio"), "auto",
                "Socket implementation of the HTTP servers and the webhook client: auto = Linux epoll where its "
                        + "native library loads, otherwise the JDK's NIO.");
    }

    /**
     * The transport this process asks for: a process-wide setting like the log variables (a system property of the
     * same name first, then the environment), since every server and client of the JVM shares it.
     */
    public static NettyTransport configured() {
        String property = System.getProperty(VARIABLE);
        return fromSetting(property != null ? property : System.getenv(VARIABLE));
    }

    static NettyTransport fromSetting(String value) {
        String setting = value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(Locale.ROOT);
        switch (setting) {
            case "nio":
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new ConfigException(VARIABLE, "epoll is unavailable here: " + Epoll.unavailabilityCause());
                }
                return EPOLL;
            case "auto":
                return Epoll.isAvailable() ? EPOLL : NIO;
            default:
                throw new ConfigException(VARIABLE, "must be auto, epoll or nio, not " + value);
        }
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public MultiThreadIoEventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
