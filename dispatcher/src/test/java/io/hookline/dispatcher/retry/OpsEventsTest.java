package io.hookline.dispatcher.retry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.event.OpsTopic;
import io.hookline.common.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpsEventsTest {
    private static final Instant FIRST = Instant.parse("2026-11-22T08:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-22T08:00:03.250Z");
    private static final Instant DEAD = Instant.parse("2026-11-22T08:00:03.400Z");

    private static DeadLetter letter(String id, String topic, Instant due) {
        EventEnvelope event = new EventEnvelope("evt_1", topic, "acme", null, null, FIRST, FIRST,
                Json.MAPPER.createObjectNode().put("n", 1));
        DeliveryTask task = new DeliveryTask(DeliveryTask.CURRENT_VERSION, event, "sub_1", 3, FIRST, due, 0, 7);
        return new DeadLetter(DeadLetter.CURRENT_VERSION, id, task, DeadLetter.EXHAUSTED, List.of(
                new DeadLetter.AttemptSummary(1, FIRST, 500, 12, "HTTP 500"),
                new DeadLetter.AttemptSummary(2, FIRST.plusSeconds(1), null, 5000, "timed out"),
                new DeadLetter.AttemptSummary(3, DUE, 503, 9, "HTTP 503")), DEAD);
    }

    @Test
    void exhaustedCarriesTheDeadLettersFactsOnTheOpsTopic() {
        EventEnvelope event = OpsEvents.exhausted(letter("dlq_1", "orders", DUE));
        assertThat(event.topic()).isEqualTo(OpsTopic.NAME);
        assertThat(event.tenant()).isEqualTo(OpsTopic.TENANT);
        assertThat(event.receivedAt()).isEqualTo(DEAD);
        JsonNode data = event.payload();
        assertThat(data.get("type").asText()).isEqualTo("delivery.exhausted");
        assertThat(data.get("subscriptionId").asText()).isEqualTo("sub_1");
        assertThat(data.get("tenant").asText()).isEqualTo("acme");
        assertThat(data.get("eventId").asText()).isEqualTo("evt_1");
        assertThat(data.get("topic").asText()).isEqualTo("orders");
        assertThat(data.get("reason").asText()).isEqualTo("exhausted");
        assertThat(data.get("attempts").asInt()).isEqualTo(3);
        assertThat(data.get("lastStatus").asInt()).isEqualTo(503);
        assertThat(data.get("lastError").asText()).isEqualTo("HTTP 503");
        assertThat(data.get("deadLetterId").asText()).isEqualTo("dlq_1");
        assertThat(data.get("at").asText()).isEqualTo(DEAD.toString());
    }

    @Test
    void theSameTaskDeadLetteredTwiceYieldsTheSameIdempotentEventAndAnotherOneAnother() {
        EventEnvelope first = OpsEvents.exhausted(letter("dlq_1", "orders", DUE));
        EventEnvelope again = OpsEvents.exhausted(letter("dlq_2", "orders", DUE)); // read again after a crash
        assertThat(first.idempotencyKey()).isNotNull();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.idempotencyKey()).isEqualTo(first.idempotencyKey());
        // A replayed task starts over with another due time: a new occurrence.
        EventEnvelope replayed = OpsEvents.exhausted(letter("dlq_3", "orders", DUE.plusSeconds(3600)));
        assertThat(replayed.id()).isNotEqualTo(first.id());
    }

    @Test
    void aDeadLetterWithoutAttemptsReportsZeroAndNoStatus() {
        DeadLetter full = letter("dlq_1", "orders", DUE);
        DeadLetter none = new DeadLetter(full.v(), "dlq_9", full.task(), DeadLetter.MAX_AGE, List.of(), DEAD);
        JsonNode data = OpsEvents.exhausted(none).payload();
        assertThat(data.get("attempts").asInt()).isZero();
        assertThat(data.get("lastStatus").isNull()).isTrue();
        assertThat(data.get("lastError").isNull()).isTrue();
        assertThat(data.get("reason").asText()).isEqualTo("max_age");
    }

    @Test
    void recoveredSaysHowLongAndHowOftenItFailed() {
        EventEnvelope event = OpsEvents.recovered("acme", new FailureStreaks.Recovery("sub_1", 7, FIRST), DEAD);
        assertThat(event.topic()).isEqualTo(OpsTopic.NAME);
        JsonNode data = event.payload();
        assertThat(data.get("type").asText()).isEqualTo("delivery.recovered");
        assertThat(data.get("subscriptionId").asText()).isEqualTo("sub_1");
        assertThat(data.get("tenant").asText()).isEqualTo("acme");
        assertThat(data.get("failures").asInt()).isEqualTo(7);
        assertThat(data.get("failingSince").asText()).isEqualTo(FIRST.toString());
        assertThat(data.get("at").asText()).isEqualTo(DEAD.toString());
    }
}
