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
            } catch (Exception e) {
                LOG.warn("{} did not shut down cleanly: {}", service, e.toString());
            } finally {
                stopped.countDown();
            }
        }, service + "-shutdown"));
        LOG.info("{} started", service);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
