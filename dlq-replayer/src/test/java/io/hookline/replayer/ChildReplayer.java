package io.hookline.replayer;

import static org.awaitility.Awaitility.await;

import io.hookline.testkit.ServiceProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A dlq-replayer in its own JVM, so that a test can crash it for real ({@link #kill()} is SIGKILL: no shutdown
 * hook, no lease release, open transactions cut off), with the API client for its port.
 */
final class ChildReplayer implements AutoCloseable {
    private final ServiceProcess process;
    private final TestReplayer api;

    private ChildReplayer(ServiceProcess process, TestReplayer api) {
        this.process = process;
        this.api = api;
    }

    /** An environment like {@link TestReplayer#env} on a fixed free port, so restarts keep the same URL. */
    static Map<String, String> env(Map<String, String> base) throws IOException {
        Map<String, String> env = new HashMap<>(base);
        try (ServerSocket socket = new ServerSocket(0)) {
            env.put("HOOKLINE_HTTP_PORT", Integer.toString(socket.getLocalPort()));
        }
        return env;
    }

    /** Starts the replayer and waits until it answers {@code /readyz}. */
    static ChildReplayer start(Map<String, String> env, String name) throws IOException {
        ServiceProcess process = ServiceProcess.start("dlq-replayer", ReplayerMain.class, "-Xmx256m", env, name);
        ChildReplayer child = new ChildReplayer(process,
                TestReplayer.at("http://127.0.0.1:" + env.get("HOOKLINE_HTTP_PORT")));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("dlq-replayer child exited with " + process.exitValue() + ":\n"
                        + process.output());
            }
            try {
                return child.api.get("/readyz", null).status() == 200;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
        return child;
    }

    TestReplayer api() {
        return api;
    }

    String output() {
        return process.output();
    }

    void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "ChildReplayer[" + process + "]";
    }
}
