package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadDriverTest {

    @Test
    void payloadIsValidJsonOfExactlyTheRequestedSize() throws Exception {
        for (int size : new int[] {16, 100, 1024, 65_536}) {
            byte[] payload = LoadDriver.payload(size);
            assertThat(payload).hasSize(size);
            assertThat(Json.readTree(payload).get("pad").asText()).hasSize(size - 10);
        }
    }

    @Test
    void batchBodyHoldsTheGivenNumberOfEvents() throws Exception {
        JsonNode body = Json.readTree(LoadDriver.batchBody(LoadDriver.payload(64), 3));
        assertThat(body.get("events")).hasSize(3);
        assertThat(body.get("events").get(2).get("payload").get("pad").asText()).hasSize(54);
    }

    @Test
    void idsFromPublishAnswers() {
        assertThat(LoadDriver.idOf(bytes("{\"id\":\"evt_1\",\"topic\":\"bench.events\"}"))).isEqualTo("evt_1");
        assertThat(LoadDriver.batchIdsOf(bytes(
                "{\"results\":[{\"id\":\"evt_1\"},{\"error\":{\"status\":422}},{\"id\":\"evt_3\"}]}")))
                .containsExactly("evt_1", "evt_3");
        assertThatThrownBy(() -> LoadDriver.idOf(bytes("{\"nope\":1}"))).hasMessageContaining("unexpected");
    }

    @Test
    void tallyJoinsArrivalsToPublishStartsByEventId() {
        Map<String, Long> starts = Map.of("evt_1", 1_000L, "evt_2", 2_000L);
        Map<String, Long> arrivals = Map.of(
                "evt_1 sub_a", 1_500L,
                "evt_1 sub_b", 4_000L,
                "evt_2 sub_a", 2_100L,
                "evt_warmup sub_a", 9_999L);
        LoadDriver.Tally tally = LoadDriver.tally(arrivals, starts);
        assertThat(tally.matched()).isEqualTo(3);
        assertThat(tally.unexpected()).isEqualTo(1);
        assertThat(tally.latency().max()).isEqualTo(3_000);
        assertThat(tally.latency().p50()).isEqualTo(500);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
