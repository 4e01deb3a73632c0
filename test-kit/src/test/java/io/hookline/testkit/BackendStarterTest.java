package io.hookline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BackendStarterTest {
    private final AtomicInteger containerStarts = new AtomicInteger();
    private final AtomicInteger embeddedStarts = new AtomicInteger();

    @Test
    void usesContainersWhenDockerIsAvailable() {
        assertThat(start(BackendChoice.AUTO, true, () -> "container", () -> "embedded")).isEqualTo("container");
        assertThat(embeddedStarts).hasValue(0);
    }

    @Test
    void usesEmbeddedWithoutDocker() {
        assertThat(start(BackendChoice.AUTO, false, () -> "container", () -> "embedded")).isEqualTo("embedded");
        assertThat(containerStarts).hasValue(0);
    }

    @Test
    void fallsBackToEmbeddedWhenContainersFail() {
        assertThat(start(BackendChoice.AUTO, true, failing("no image"), () -> "embedded")).isEqualTo("embedded");
    }

    @Test
    void failsLoudlyWithEveryCauseWhenNothingStarts() {
        assertThatThrownBy(() -> start(BackendChoice.AUTO, true, failing("no image"), failing("no binaries")))
                .isInstanceOf(TestInfrastructureException.class)
                .hasMessageContaining("no binaries")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessageContaining("no image")));
    }

    @Test
    void forcedTestcontainersNeverFallsBack() {
        assertThatThrownBy(() -> start(BackendChoice.TESTCONTAINERS, false, failing("no docker"), () -> "embedded"))
                .isInstanceOf(TestInfrastructureException.class)
                .hasMessageContaining("no docker");
        assertThat(embeddedStarts).hasValue(0);
    }

    @Test
    void forcedEmbeddedIgnoresDocker() {
        assertThat(start(BackendChoice.EMBEDDED, true, () -> "container", () -> "embedded")).isEqualTo("embedded");
    }

    @Test
    void aFailedSharedStartIsRememberedNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        SharedResource<AutoCloseable> resource = new SharedResource<>("thing", () -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("broken environment");
        });

        assertThatThrownBy(resource::get).hasMessageContaining("broken environment");
        assertThatThrownBy(resource::get)
                .isInstanceOf(TestInfrastructureException.class)
                .hasMessageContaining("failed to start earlier")
                .hasMessageContaining("broken environment");
        assertThat(attempts).hasValue(1);
    }

    private String start(BackendChoice choice, boolean docker, Supplier<String> container, Supplier<String> embedded) {
        return BackendStarter.start("thing", choice, () -> docker,
                () -> {
                    containerStarts.incrementAndGet();
                    return container.get();
                },
                () -> {
                    embeddedStarts.incrementAndGet();
                    return embedded.get();
                });
    }

    private static Supplier<String> failing(String message) {
        return () -> {
            throw new IllegalStateException(message);
        };
    }
}
