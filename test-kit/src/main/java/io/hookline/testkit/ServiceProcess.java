package io.hookline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hookline service in its own JVM, started from the module's shaded jar exactly as operators run it, so that a
 * test can crash it for real — {@link #kill()} is SIGKILL: no shutdown hook, no commit, no leave-group, open
 * transactions cut off — or stop it as an orchestrator does: {@link #terminate(Duration)} is SIGTERM. Everything
 * the process writes goes to {@code target/<name>.log}.
 *
 * <pre>{@code
 * try (ServiceProcess dispatcher = ServiceProcess.start("dispatcher", DispatcherMain.class, "-Xmx384m", env, "victim")) {
 *     ...
 *     dispatcher.kill();
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

    /** How a stopped process ended: its exit code and how long it took from the signal to the exit. */
    public record Exit(int code, Duration took) {
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code main} from {@code target/hookline-<module>.jar} (the package phase builds it before the
     * integration tests run) with only {@code env} as its {@code HOOKLINE_*} settings: none are inherited from the
     * test's own environment.
     */
    public static ServiceProcess start(String module, Class<?> main, String maxHeap, Map<String, String> env,
                                       String name) throws IOException {
        Path jar = Path.of("target", "hookline-" + module + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar.toAbsolutePath() + ": the shaded service jar is built by the "
                    + "package phase, before the integration tests");
        }
        Path log = Path.of("target", name + ".log");
        Files.deleteIfExists(log);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                maxHeap, "-cp", jar.toString(), main.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("HOOKLINE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        LOG.info("started {} as process {} ({}), output in {}", name, process.pid(), module, log);
        return new ServiceProcess(name, process, log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code; only once the process has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Everything the process wrote (stdout and stderr) so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends SIGTERM and waits up to {@code patience} for the process to exit; fails (and kills it) if it does not.
     */
    public Exit terminate(Duration patience) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy(); // SIGTERM on Unix: the JVM runs its shutdown path as under Kubernetes or docker stop
        boolean exited = process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
            kill();
            throw new AssertionError(name + " did not exit within " + patience + " of SIGTERM");
        }
        return new Exit(process.exitValue(), took);
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (process " + process.pid() + ") survived SIGKILL for 30 s");
            }
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
        return "ServiceProcess[" + name + ", pid " + process.pid() + ", " + log + "]";
    }
}
