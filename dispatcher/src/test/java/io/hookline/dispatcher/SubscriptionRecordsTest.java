package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionRecordsTest {
    @Test
    void keepsWhatTheDispatcherActsOnAndDropsTheRest() throws Exception {
        SubscriptionRecord full = new SubscriptionRecord("sub_1", "acme", "https://example.com/in",
                List.of("orders.*", "invoices.paid"), "long description", Map.of("X-Team", "payments"), 5.0, 3, 2000,
                List.of("1s", "30s"), 3600L, "ordered", Json.readTree("{\"owner\":\"team-a\"}".getBytes()), "active",
                7, List.of(new SubscriptionRecord.SigningSecret("v1:abc", null),
                        new SubscriptionRecord.SigningSecret("v1:def", Instant.parse("2026-01-01T00:00:00Z"))),
                Instant.EPOCH, Instant.EPOCH);

        SubscriptionRecord kept = SubscriptionRecords.decode(Json.write(full));

        SubscriptionRecord expected = new SubscriptionRecord("sub_1", "acme", "https://example.com/in",
                List.of("orders.*", "invoices.paid"), null, Map.of("X-Team", "payments"), 5.0, 3, 2000,
                List.of("1s", "30s"), 3600L, "ordered", null, "active", 7, full.secrets(), null, null);
        assertThat(kept).isEqualTo(expected);
        assertThat(kept.tenant()).isSameAs(SubscriptionRecords.decode(Json.write(full)).tenant());
    }

    @Test
    void toleratesMissingOptionalFields() {
        SubscriptionRecord kept = SubscriptionRecords.decode(
                "{\"id\":\"sub_2\",\"url\":\"https://example.com\",\"topics\":[\"*\"],\"status\":\"active\",\"version\":1}"
                        .getBytes());
        assertThat(kept.id()).isEqualTo("sub_2");
        assertThat(kept.secrets()).isEmpty();
        assertThat(kept.headers()).isNull();
        assertThat(kept.isActive()).isTrue();
    }
}
