package io.hookline.replayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dlq-replayer in its own JVM, started from the shaded service jar as operators run it, so that a test can crash
 * it for real: {@link #kill()} is SIGKILL (no shutdown hook, no lease release, open transactions cut off).
 */
final class ChildReplayer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildReplayer.class);

    private final Process process;
    private final Path log;
    private final TestReplayer api;

    private ChildReplayer(Process process, Path log, TestReplayer api) {
        this.process = process;
        this.log = log;
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
        Path jar = Path.of("target", "hookline-dlq-replayer.jar");
        assertThat(jar).as("the shaded service jar (built by the package phase before integration tests)").exists();
        Path log = Path.of("target", name + ".log");
        Files.deleteIfExists(log);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", jar.toString(), ReplayerMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HOOKLINE_"));
        builder.environment().putAll(env);
        LOG.info("starting dlq-replayer child {}, output in {}", name, log);
        ChildReplayer child = new ChildReplayer(builder.start(), log,
                TestReplayer.at("http://127.0.0.1:" + env.get("HOOKLINE_HTTP_PORT")));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.process.isAlive()) {
                throw new AssertionError("dlq-replayer child exited with " + child.process.exitValue() + ":\n"
                        + Files.readString(log));
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

    String output() throws IOException {
        return Files.readString(log);
    }

    void kill() {
        process.destroyForcibly();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the child died of SIGKILL").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "ChildReplayer[" + process.pid() + ", " + log + "]";
    }
}
