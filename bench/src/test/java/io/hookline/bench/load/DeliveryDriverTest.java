package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
}
