package io.hookline.dispatcher.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.subscription.SubscriptionRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalDisablesTest {
    private static SubscriptionRecord version(long version) {
        return new SubscriptionRecord("sub_1", "acme", "http://127.0.0.1/", List.of("orders"), null, null, null, null,
                null, null, null, null, null, "active", version, List.of(), Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void holdsUntilTheRegistrarPublishesANewerVersion() {
        LocalDisables disables = new LocalDisables();
        assertThat(disables.isDisabled(version(3))).isFalse();
        disables.disable(version(3));
        assertThat(disables.isDisabled(version(3))).isTrue();
        assertThat(disables.isDisabled(version(2))).isTrue();
        assertThat(disables.isDisabled(version(4))).isFalse();
        assertThat(disables.size()).isZero();
    }
}
