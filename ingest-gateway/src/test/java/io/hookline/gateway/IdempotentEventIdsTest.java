package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.event.EventIds;
import org.junit.jupiter.api.Test;

class IdempotentEventIdsTest {

    @Test
    void sameTenantAndKeyGiveTheSameId() {
        assertThat(IdempotentEventIds.eventId("acme", "order-42"))
                .isEqualTo(IdempotentEventIds.eventId("acme", "order-42"));
    }

    @Test
    void tenantsAndKeysAreSeparated() {
        String id = IdempotentEventIds.eventId("acme", "order-42");
        assertThat(IdempotentEventIds.eventId("globex", "order-42")).isNotEqualTo(id);
        assertThat(IdempotentEventIds.eventId("acme", "order-43")).isNotEqualTo(id);
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assertThat(IdempotentEventIds.eventId("ab", "c")).isNotEqualTo(IdempotentEventIds.eventId("a", "bc"));
    }

    @Test
    void idsHaveTheShapeOfEveryEventId() {
        String pattern = "evt_[0-7][0-9A-HJKMNP-TV-Z]{25}";
        assertThat(EventIds.newEventId()).matches(pattern);
        for (int i = 0; i < 1000; i++) {
            assertThat(IdempotentEventIds.eventId("t", "k" + i)).matches(pattern);
        }
    }

    @Test
    void derivationIsStableAcrossVersions() {
        // Pinned: ids already handed out must stay the same after an upgrade, or retries would be duplicated.
        assertThat(IdempotentEventIds.eventId("acme", "order-42")).isEqualTo("evt_66DZ5NSA6VPTH31E3S9TFEF05A");
    }
}
