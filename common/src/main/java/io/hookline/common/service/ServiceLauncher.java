package io.hookline.common.service;

import io.hookline.common.config.ConfigDef;
import io.hookline.common.config.ConfigException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every service: starts it, turns a configuration or start-up failure into one clear line
 * on stderr and a non-zero exit (no stack-trace wall), and closes the service on SIGTERM / Ctrl-C.
 */
public final class ServiceLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);

    private ServiceLauncher() {
    }

    /**
     * As {@link #run(String, Callable)}, but {@code --help} / {@code -h} prints the service's settings instead of
     * starting it, the same way for every service.
     */
    public static void run(String service, String summary, ConfigDef settings, String[] args,
                           Callable<? extends AutoCloseable> starter) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(service + ": " + summary + "\n\nEnvironment variables:\n" + settings.describe()
                    + ConfigDef.ENV_PREFIX + "KAFKA_<PROPERTY>\n    Any Kafka client property, e.g. "
                    + "HOOKLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL becomes security.protocol.");
            return;
        }
        run(service, starter);
    }

    public static void run(String service, Callable<? extends AutoCloseable> starter) {
        AutoCloseable running;
        try {
            running = starter.call();
        } catch (ConfigException e) {
            System.err.println(service + ": configuration error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.debug("start-up failure", e);
            System.err.println(service + ": cannot start: " + rootMessage(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("{} shutting down", service);
            try {
                running.close();
                LOG.info("{} shut down cleanly", service);
            } catch (Exception e) {
                LOG.warn("{} did not shut down cleanly: {}", service, e.toString());
                // A drain that failed must not look like a clean stop to the orchestrator (exit 1, not 0).
                Runtime.getRuntime().halt(1);
            } finally {
                stopped.countDown();
            }
        }, service + "-shutdown"));
        exitCleanlyOn("TERM", service);
        exitCleanlyOn("INT", service);
        LOG.info("{} started", service);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A stop request (SIGTERM from Kubernetes or {@code docker stop}, Ctrl-C) is the normal end of a service: it
     * runs the same shutdown path as before (the hook above drains and commits), but then exits 0 instead of the
     * JVM's 128 + signal, which orchestrators report as an error ({@code Exited (143)}, reason {@code Error}).
     */
    private static void exitCleanlyOn(String signal, String service) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> System.exit(0));
        } catch (IllegalArgumentException e) {
            // The JVM reserves the signal (e.g. -Xrs): the default handling still runs the shutdown hook.
            LOG.debug("{} keeps the JVM's default handling of SIG{}: {}", service, signal, e.getMessage());
        }
    }

    /** The failure as one line: the outermost message (ours are written to be read), else the root cause's. */
    public static String rootMessage(Throwable e) {
        Throwable shown = e;
        while (shown.getMessage() == null && shown.getCause() != null && shown.getCause() != shown) {
            shown = shown.getCause();
        }
        String message = shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ");
    }
}
