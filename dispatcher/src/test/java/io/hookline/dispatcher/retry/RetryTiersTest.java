package io.hookline.dispatcher.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.kafka.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryTiersTest {
    private final RetryTiers tiers = RetryTiers.parse(List.of("5s", "30s", "2m", "10m", "1h"));

    @Test
    void aDelayGoesToTheLargestTierNotLongerThanIt() {
        assertThat(tiers.forDelay(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(tiers.forDelay(Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(30));
        assertThat(tiers.forDelay(Duration.ofHours(12))).isEqualTo(Duration.ofHours(1));
        // Shorter than every tier (jitter below 5 s): the smallest tier, which releases it when due.
        assertThat(tiers.forDelay(Duration.ofMillis(4500))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void tiersAreSortedAndNamedLikeTheirTopics() {
        RetryTiers unsorted = RetryTiers.parse(List.of("1s", "200ms", "1s"));
        assertThat(unsorted.delays()).containsExactly(Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(unsorted.topics(new TopicNames("hookline"))).containsExactly("hookline.retry.200ms",
                "hookline.retry.1s");
    }

    @Test
    void headersCarryTheDueTimeRoundedUpAndTheAttemptHistory() {
        Instant due = Instant.ofEpochMilli(1_700_000_000_123L).plusNanos(1);
        List<DeadLetter.AttemptSummary> history = List.of(new DeadLetter.AttemptSummary(1, Instant.EPOCH, 500, 12,
                "HTTP 500"), new DeadLetter.AttemptSummary(2, Instant.EPOCH.plusSeconds(1), null, 5000, "timeout"));
        var headers = RetryHeaders.of(due, history);
        assertThat(RetryHeaders.dueAtMillis(headers)).isEqualTo(1_700_000_000_124L);
        assertThat(RetryHeaders.attempts(headers)).isEqualTo(history);
        assertThat(RetryHeaders.attempts(new org.apache.kafka.common.header.internals.RecordHeaders())).isEmpty();
        assertThat(RetryHeaders.dueAtMillis(new org.apache.kafka.common.header.internals.RecordHeaders()))
                .isEqualTo(-1);
    }

    @Test
    void aLongHistoryKeepsTheFirstAndTheLatestAttempts() {
        List<DeadLetter.AttemptSummary> history = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            history = RetryHeaders.append(history, new DeadLetter.AttemptSummary(i, Instant.EPOCH, 500, 1, "x"));
        }
        assertThat(history).hasSize(RetryHeaders.MAX_SUMMARIES);
        assertThat(history.get(0).attempt()).isEqualTo(1);
        assertThat(history.get(history.size() - 1).attempt()).isEqualTo(60);
    }
}
