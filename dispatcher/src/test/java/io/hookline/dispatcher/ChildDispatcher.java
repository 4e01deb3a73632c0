package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatcher in its own JVM, started from the shaded service jar exactly as operators run it, so a test can
 * crash it for real: {@link #kill()} is SIGKILL (no shutdown hook, no commit, no leave-group), or stop it as an
 * orchestrator does: {@link #terminate(Duration)} is SIGTERM.
 */
final class ChildDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildDispatcher.class);

    private final Process process;
    private final Path log;

    /** How a stopped child ended: its exit code and how long it took from the signal to the exit. */
    record Exit(int code, Duration took) {
    }

    private ChildDispatcher(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildDispatcher start(Map<String, String> env, String name) throws IOException {
        Path jar = Path.of("target", "hookline-dispatcher.jar");
        assertThat(jar).as("the shaded service jar (built by the package phase before integration tests)").exists();
        File log = Path.of("target", name + ".log").toFile();
        Files.deleteIfExists(log.toPath());
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", jar.toString(), DispatcherMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log);
        builder.environment().putAll(env);
        LOG.info("starting dispatcher child {}, output in {}", name, log);
        return new ChildDispatcher(builder.start(), log.toPath());
    }

    /** {@code env} with the Kafka client id set: the child's group members are then {@code <clientId>-delivery}... */
    static Map<String, String> withClientId(Map<String, String> env, String clientId) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("HOOKLINE_KAFKA_CLIENT_ID", clientId);
        return copy;
    }

    /** Everything the child wrote (stdout and stderr) so far. */
    String output() throws IOException {
        return Files.readString(log);
    }

    /** Sends SIGTERM and waits up to {@code patience} for the process to exit (SIGKILL after that). */
    Exit terminate(Duration patience) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy(); // SIGTERM on Unix: the JVM runs its shutdown path as under Kubernetes or docker stop
        boolean exited = process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(exited).as("the child exited within %s of SIGTERM", patience).isTrue();
        return new Exit(process.exitValue(), took);
    }

    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
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
}
