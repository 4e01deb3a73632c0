package io.hookline.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutcomeClassifierTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static AttemptOutcome status(int status, String retryAfter) {
        return OutcomeClassifier.classify(HttpExchange.response(status, retryAfter, null, Duration.ZERO), NOW);
    }

    @Test
    void onlyTwoHundredsSucceed() {
        assertThat(status(200, null).kind()).isEqualTo(AttemptOutcome.Kind.SUCCESS);
        assertThat(status(204, null).kind()).isEqualTo(AttemptOutcome.Kind.SUCCESS);
        assertThat(status(299, null).kind()).isEqualTo(AttemptOutcome.Kind.SUCCESS);
        assertThat(status(301, null).kind()).isEqualTo(AttemptOutcome.Kind.RETRYABLE);
        assertThat(status(302, null).reason()).contains("redirects are not followed");
        assertThat(status(400, null).kind()).isEqualTo(AttemptOutcome.Kind.RETRYABLE);
        assertThat(status(500, null).kind()).isEqualTo(AttemptOutcome.Kind.RETRYABLE);
    }

    @Test
    void goneMeansGone() {
        assertThat(status(410, null).kind()).isEqualTo(AttemptOutcome.Kind.GONE);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDateOnlyFor429And503() {
        assertThat(status(429, "30").retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(status(503, "Thu, 01 Jan 2026 00:02:00 GMT").retryAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(status(503, "Wed, 31 Dec 2025 23:00:00 GMT").retryAfter()).isEqualTo(Duration.ZERO);
        assertThat(status(429, "soon").retryAfter()).isNull();
        assertThat(status(429, "-5").retryAfter()).isNull();
        assertThat(status(429, null).kind()).isEqualTo(AttemptOutcome.Kind.RETRYABLE);
        assertThat(status(500, "30").retryAfter()).isNull();
    }

    @Test
    void transportFailuresAreRetryableAndPolicyOrConfigurationFailuresPermanent() {
        for (HttpExchange.Failure failure : new HttpExchange.Failure[] {HttpExchange.Failure.CONNECT,
                HttpExchange.Failure.TIMEOUT, HttpExchange.Failure.IO}) {
            assertThat(OutcomeClassifier.classify(HttpExchange.failed(failure, "boom", Duration.ZERO), NOW).kind())
                    .isEqualTo(AttemptOutcome.Kind.RETRYABLE);
        }
        AttemptOutcome rejected = OutcomeClassifier.classify(HttpExchange.failed(HttpExchange.Failure.REJECTED,
                "host resolves to a loopback address (127.0.0.1)", Duration.ZERO), NOW);
        assertThat(rejected.kind()).isEqualTo(AttemptOutcome.Kind.PERMANENT);
        assertThat(rejected.reason()).contains("loopback");
        assertThat(OutcomeClassifier.classify(HttpExchange.failed(HttpExchange.Failure.INVALID_REQUEST, "no secret",
                Duration.ZERO), NOW).kind()).isEqualTo(AttemptOutcome.Kind.PERMANENT);
    }
}
