package io.hookline.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An endpoint that hangs: it accepts connections on 127.0.0.1 and never answers, so every request to it waits for
 * the client's response timeout — the "one endpoint always times out" of the isolation benchmark.
 */
public final class BlackholeServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;

    public BlackholeServer() throws IOException {
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "bench-blackhole");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                held.add(server.accept());
                connections.incrementAndGet();
            } catch (IOException e) {
                return;
            }
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public long connections() {
        return connections.get();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : held) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
