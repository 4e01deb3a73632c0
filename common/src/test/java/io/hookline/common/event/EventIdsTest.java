package io.hookline.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventIdsTest {
    @Test
    void idsAreUniqueAndStrictlyIncreasing() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(EventIds.newEventId());
        }
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(ids).isSorted();
        assertThat(ids.get(0)).matches("evt_[0-9A-HJKMNP-TV-Z]{26}");
    }

    @Test
    void aDerivedIdIsTheSameForTheSameNameAndSortsByItsTime() {
        long t = 1_790_000_000_000L;
        String id = EventIds.derivedEventId(t, "delivery.exhausted:sub_1:evt_1:4");
        assertThat(id).matches("evt_[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(EventIds.derivedEventId(t, "delivery.exhausted:sub_1:evt_1:4")).isEqualTo(id);
        assertThat(EventIds.derivedEventId(t, "delivery.exhausted:sub_1:evt_1:5")).isNotEqualTo(id);
        assertThat(EventIds.derivedEventId(t + 1, "delivery.exhausted:sub_1:evt_1:4")).isGreaterThan(id);
        assertThat(EventIds.derivedEventId(t - 1, "zzz")).isLessThan(id);
    }
}
