package io.hookline.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptRecordCodecTest {
    /** The same components with plain record binding: what the records looked like before the codec. */
    record Plain(int v, String id, String subscriptionId, String tenant, String eventId, String topic, int attempt,
                 String url, Instant startedAt, long latencyMs, String outcome, Integer statusCode, String error,
                 Long retryAfterMs, String responseExcerpt) {
    }

    private static AttemptRecord full() {
        return new AttemptRecord(1, "att_1", "sub_1", "acme", "evt_1", "orders.created", 2,
                "https://hooks.example.com/in?x=\"1\"", Instant.parse("2026-11-22T08:45:13.123456Z"), 87, "retryable",
                503, "HTTP 503 — busy", 7000L, "{\"error\":\"busy\"}\n\u00e9");
    }

    private static Plain plain(AttemptRecord a) {
        return new Plain(a.v(), a.id(), a.subscriptionId(), a.tenant(), a.eventId(), a.topic(), a.attempt(), a.url(),
                a.startedAt(), a.latencyMs(), a.outcome(), a.statusCode(), a.error(), a.retryAfterMs(),
                a.responseExcerpt());
    }

    @Test
    void writesExactlyWhatRecordBindingWroteAndReadsItBack() {
        AttemptRecord sparse = new AttemptRecord(1, "att_2", "sub_1", "acme", "evt_1", "orders.created", 1,
                "http://x/", Instant.parse("2026-11-22T08:45:13Z"), 0, "success", null, null, null, null);
        for (AttemptRecord record : List.of(full(), sparse)) {
            byte[] bytes = Json.write(record);
            assertThat(new String(bytes, StandardCharsets.UTF_8))
                    .isEqualTo(new String(Json.write(plain(record)), StandardCharsets.UTF_8));
            assertThat(Json.read(bytes, AttemptRecord.class)).isEqualTo(record);
        }
    }

    @Test
    void writesEveryComponentAndSkipsUnknownFields() throws Exception {
        JsonNode tree = Json.readTree(Json.write(full()));
        List<String> names = new ArrayList<>();
        tree.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(Arrays.stream(AttemptRecord.class.getRecordComponents())
                .map(RecordComponent::getName).toList());

        String newer = "{\"v\":3,\"id\":\"att_3\",\"later\":{\"a\":[1]},\"attempt\":4,\"startedAt\":1763801113.5,"
                + "\"statusCode\":null,\"latencyMs\":12}";
        AttemptRecord read = Json.read(newer.getBytes(StandardCharsets.UTF_8), AttemptRecord.class);
        assertThat(read.id()).isEqualTo("att_3");
        assertThat(read.attempt()).isEqualTo(4);
        assertThat(read.startedAt()).isEqualTo(Instant.ofEpochSecond(1763801113L, 500_000_000));
        assertThat(read.statusCode()).isNull();
        assertThat(read.latencyMs()).isEqualTo(12);
    }
}
