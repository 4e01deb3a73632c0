package io.hookline.testkit;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one server through Testcontainers or embedded, as {@link BackendChoice} says. A test that needs the server
 * must fail when neither works, never be skipped, so every path ends in a started server or an exception that
 * carries every cause.
 */
final class BackendStarter {
    private static final Logger LOG = LoggerFactory.getLogger(BackendStarter.class);

    private BackendStarter() {
    }

    static <T> T start(String what, BackendChoice choice, BooleanSupplier dockerAvailable, Supplier<T> container,
            Supplier<T> embedded) {
        if (choice == BackendChoice.TESTCONTAINERS) {
            return attempt(what, "Testcontainers (forced by " + BackendChoice.PROPERTY + ")", container, null);
        }
        if (choice == BackendChoice.AUTO && dockerAvailable.getAsBoolean()) {
            try {
                return attempt(what, "Testcontainers (Docker is available)", container, null);
            } catch (TestInfrastructureException e) {
                LOG.warn("{} via Testcontainers failed, falling back to the embedded server: {}", what, e.getMessage());
                return attempt(what, "embedded (Testcontainers failed)", embedded, e);
            }
        }
        String reason = choice == BackendChoice.EMBEDDED ? "forced by " + BackendChoice.PROPERTY : "no Docker engine";
        return attempt(what, "embedded (" + reason + ")", embedded, null);
    }

    private static <T> T attempt(String what, String backend, Supplier<T> starter, Throwable earlier) {
        LOG.info("Starting the shared test {}: {}", what, backend);
        try {
            T started = starter.get();
            LOG.info("Shared test {} ready: {}", what, started);
            return started;
        } catch (RuntimeException | Error e) {
            TestInfrastructureException failure = new TestInfrastructureException(
                    "Could not start the shared test " + what + " with " + backend + ": " + e.getMessage(), e);
            if (earlier != null) {
                failure.addSuppressed(earlier);
            }
            throw failure;
        }
    }
}
