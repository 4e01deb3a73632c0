package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryDriverTest {

    @Test
    void tasksGoRoundRobinAndTheSlowSubscriptionGetsOneShare() {
        List<DeliveryDriver.Task> tasks = DeliveryDriver.tasks(8, List.of("sub_a", "sub_b", "sub_c"), "sub_slow",
                LoadDriver.payload(64), "bench.events");
        assertThat(tasks).extracting(DeliveryDriver.Task::subscriptionId)
                .containsExactly("sub_a", "sub_b", "sub_c", "sub_slow", "sub_a", "sub_b", "sub_c", "sub_slow");
        DeliveryTask decoded = Json.read(tasks.get(1).value(), DeliveryTask.class);
        assertThat(decoded.subscriptionId()).isEqualTo("sub_b");
        assertThat(decoded.attempt()).isEqualTo(1);
        assertThat(decoded.event().topic()).isEqualTo("bench.events");
        assertThat(decoded.event().payload().get("pad").asText()).hasSize(54);
        assertThat(tasks).extracting(t -> Json.read(t.value(), DeliveryTask.class).event().id())
                .doesNotHaveDuplicates();
    }

    @Test
    void withoutASlowSubscriptionOnlyHealthyOnes() {
        assertThat(DeliveryDriver.tasks(4, List.of("sub_a", "sub_b"), null, LoadDriver.payload(16), "t"))
                .extracting(DeliveryDriver.Task::subscriptionId).containsExactly("sub_a", "sub_b", "sub_a", "sub_b");
    }

    @Test
    void parkedRetriesAreSecondAttemptsDueLater() {
        Instant failedAt = Instant.parse("2026-11-22T09:00:00Z");
        Instant due = failedAt.plus(Duration.ofMinutes(10));
        List<DeliveryDriver.Task> retries = DeliveryDriver.retries(4, List.of("sub_a", "sub_b"), LoadDriver.payload(16),
                "t", failedAt, due);
        assertThat(retries).extracting(DeliveryDriver.Task::subscriptionId)
                .containsExactly("sub_a", "sub_b", "sub_a", "sub_b");
        DeliveryTask decoded = Json.read(retries.get(3).value(), DeliveryTask.class);
        assertThat(decoded.subscriptionId()).isEqualTo("sub_b");
        assertThat(decoded.attempt()).isEqualTo(2);
        assertThat(decoded.firstAttemptAt()).isEqualTo(failedAt);
        assertThat(decoded.dueAt()).isEqualTo(due);
    }

    @Test
    void options() {
        DeliveryOptions defaults = DeliveryOptions.parse();
        assertThat(defaults.tasks()).isEqualTo(100_000);
        assertThat(defaults.subscriptions()).isEqualTo(100);
        assertThat(defaults.slowTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.baseline()).isTrue();
        assertThat(defaults.isolation()).isTrue();
        assertThat(defaults.pendingRetries()).isEqualTo(100_000);
        assertThat(defaults.pendingDelay()).isEqualTo(Duration.ofMinutes(10));
        assertThat(DeliveryOptions.parse("--no-pending-retries").pendingRetries()).isZero();
        assertThat(defaults.pendingRounds()).isEqualTo(1);
        assertThat(defaults.warmUp()).isEqualTo(10_000);
        assertThat(DeliveryOptions.parse("--tasks", "500", "--warmup", "7000").warmUp()).isEqualTo(7000);
        DeliveryOptions pending = DeliveryOptions.parse("--pending-retries", "5000", "--pending-delay", "30m",
                "--pending-rounds", "2");
        assertThat(pending.pendingRetries()).isEqualTo(5000);
        assertThat(pending.pendingDelay()).isEqualTo(Duration.ofMinutes(30));
        assertThat(pending.pendingRounds()).isEqualTo(2);
        DeliveryOptions o = DeliveryOptions.parse("--tasks=5000", "--subscriptions", "10", "--no-baseline",
                "--slow-timeout", "2s", "--max-in-flight", "20", "--env", "HOOKLINE_DELIVERY_IO_THREADS=2");
        assertThat(o.tasks()).isEqualTo(5000);
        assertThat(o.subscriptions()).isEqualTo(10);
        assertThat(o.baseline()).isFalse();
        assertThat(o.maxInFlight()).isEqualTo(20);
        assertThat(o.env()).isEqualTo(Map.of("HOOKLINE_DELIVERY_IO_THREADS", "2"));
        assertThatThrownBy(() -> DeliveryOptions.parse("--tasks", "0")).hasMessageContaining("--tasks");
        assertThatThrownBy(() -> DeliveryOptions.parse("--what", "1")).hasMessageContaining("unknown option --what");
    }
}
