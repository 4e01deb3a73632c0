package io.hookline.client;

import static io.hookline.client.ScriptedGateway.accepted;
import static io.hookline.client.ScriptedGateway.dropConnection;
import static io.hookline.client.ScriptedGateway.json;
import static io.hookline.client.ScriptedGateway.problem;
import static io.hookline.client.ScriptedGateway.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HooklineClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short waits so retry tests stay quick; Retry-After still imposes its own (longer) wait where scripted. */
    private static final RetryPolicy FAST = RetryPolicy.defaults().withMaxAttempts(4)
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50));

    record Order(String id, int amount) {
    }

    private ScriptedGateway gateway;
    private HooklineClient client;

    @BeforeEach
    void start() throws IOException {
        gateway = new ScriptedGateway();
        client = clientFor(gateway.url().toString(), FAST);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private static HooklineClient clientFor(String url, RetryPolicy policy) {
        return HooklineClient.builder().baseUrl(url).apiKey("hk_test_key").retryPolicy(policy)
                .requestTimeout(Duration.ofSeconds(10)).build();
    }

    // ------------------------------------------------------------------ single publish

    @Test
    void publishSendsTheSerialisedPayloadWithAuthAndAGeneratedIdempotencyKey() throws Exception {
        gateway.then(accepted("evt_01", "orders.created"));

        PublishResult result = client.publish("orders.created", new Order("o-1", 42));

        assertThat(result).isEqualTo(new PublishResult("evt_01", "orders.created"));
        ScriptedGateway.Recorded request = gateway.request(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/topics/orders.created/events");
        assertThat(request.header("Authorization")).isEqualTo("Bearer hk_test_key");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(UUID.fromString(request.header("Idempotency-Key"))).isNotNull();
        assertThat(request.header("Hookline-Ordering-Key")).isNull();
        assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree("{\"id\":\"o-1\",\"amount\":42}"));
    }

    @Test
    void rawJsonIsSentAsGivenWithTheCallersKeys() {
        gateway.then(accepted("evt_02", "orders"));
        String raw = "{ \"b\": 1,\n  \"a\": [true, null] }";

        client.publish("orders", raw, PublishOptions.idempotencyKey("order-17-created").withOrderingKey("customer-9"));

        ScriptedGateway.Recorded request = gateway.request(0);
        assertThat(request.bodyText()).isEqualTo(raw);
        assertThat(request.header("Idempotency-Key")).isEqualTo("order-17-created");
        assertThat(request.header("Hookline-Ordering-Key")).isEqualTo("customer-9");
    }

    @Test
    void aJsonNodeIsSerialisedSoATextNodePublishesAJsonString() {
        gateway.then(accepted("evt_03", "greetings"));

        client.publish("greetings", TextNode.valueOf("hello"));

        assertThat(gateway.request(0).bodyText()).isEqualTo("\"hello\"");
    }

    @Test
    void everyLogicalPublishGetsItsOwnIdempotencyKey() {
        gateway.then(accepted("evt_1", "t")).then(accepted("evt_2", "t"));

        client.publish("t", 1);
        client.publish("t", 1);

        assertThat(gateway.request(0).header("Idempotency-Key"))
                .isNotEqualTo(gateway.request(1).header("Idempotency-Key"));
    }

    @Test
    void a503IsRetriedAfterItsRetryAfterWithTheSameIdempotencyKey() {
        gateway.then(problem(503, "Service unavailable", "Kafka cannot take the event right now", null,
                        "Retry-After", "1"))
                .then(accepted("evt_after_outage", "orders"));

        PublishResult result = client.publish("orders", new Order("o-2", 7));

        assertThat(result.id()).isEqualTo("evt_after_outage");
        List<ScriptedGateway.Recorded> requests = gateway.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).header("Idempotency-Key")).isEqualTo(requests.get(0).header("Idempotency-Key"));
        assertThat(requests.get(1).body()).isEqualTo(requests.get(0).body());
        // The retry came no sooner than the gateway asked (the backoff alone would have been ~5 ms).
        assertThat(Duration.ofNanos(requests.get(1).arrivedNanos() - requests.get(0).arrivedNanos()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a429WithoutRetryAfterIsRetriedWithBackoff() {
        gateway.then(problem(429, "Too many requests", "tenant over its publish quota", null))
                .then(problem(429, "Too many requests", "tenant over its publish quota", null))
                .then(accepted("evt_quota", "orders"));

        assertThat(client.publish("orders", 1).id()).isEqualTo("evt_quota");

        assertThat(gateway.requests()).hasSize(3)
                .extracting(r -> r.header("Idempotency-Key")).containsOnly(gateway.request(0).header("Idempotency-Key"));
    }

    @Test
    void a429WithRetryAfterWaitsAtLeastThatLong() {
        gateway.then(problem(429, "Too many requests", "tenant over its publish quota", null, "Retry-After", "1"))
                .then(accepted("evt_quota", "orders"));

        client.publish("orders", 1);

        assertThat(Duration.ofNanos(gateway.request(1).arrivedNanos() - gateway.request(0).arrivedNanos()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void retriesStopAtMaxAttemptsWithAnUnavailableException() {
        for (int i = 0; i < 4; i++) {
            gateway.then(problem(503, "Service unavailable", "Kafka is down", null, "Retry-After", "0"));
        }
        gateway.then(accepted("evt_never", "orders"));

        assertThatThrownBy(() -> client.publish("orders", 1))
                .isInstanceOfSatisfying(HooklineUnavailableException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.attempts()).isEqualTo(4);
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.retryAfter()).contains(Duration.ZERO);
                    assertThat(e.problem()).get().extracting(Problem::detail).isEqualTo("Kafka is down");
                    assertThat(e.idempotencyKey()).contains(gateway.request(0).header("Idempotency-Key"));
                    assertThat(e).hasMessageContaining("gave up after 4 attempts").hasMessageContaining("Kafka is down");
                });
        assertThat(gateway.requests()).hasSize(4);
        assertThat(gateway.unusedReplies()).isEqualTo(1);
    }

    @Test
    void aRetryAfterBeyondThePolicysLimitEndsTheRetriesAtOnce() {
        gateway.then(problem(503, "Service unavailable", "maintenance", null, "Retry-After", "3600"))
                .then(accepted("evt_never", "orders"));

        assertThatThrownBy(() -> client.publish("orders", 1))
                .isInstanceOfSatisfying(HooklineUnavailableException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.retryAfter()).contains(Duration.ofHours(1));
                    assertThat(e).hasMessageContaining("maxRetryAfter");
                });
        assertThat(gateway.requests()).hasSize(1);
    }

    @Test
    void a400ProblemIsNotRetriedAndCarriesTheProblem() {
        gateway.then(problem(400, "Malformed JSON", "unexpected end of input at line 1", "payload"))
                .then(accepted("evt_should_not_be_used", "orders"));

        assertThatThrownBy(() -> client.publish("orders", "{\"truncated\":"))
                .isInstanceOfSatisfying(HooklineRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.title()).isEqualTo("Malformed JSON");
                    assertThat(e.detail()).isEqualTo("unexpected end of input at line 1");
                    assertThat(e.field()).isEqualTo("payload");
                    assertThat(e.rejection().type()).isEqualTo("https://hookline.dev/problems/x");
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e).hasMessageContaining("rejected").hasMessageContaining("400 Malformed JSON");
                });
        assertThat(gateway.requests()).hasSize(1);
        assertThat(gateway.unusedReplies()).isEqualTo(1);
    }

    @Test
    void otherClientErrorsAreNotRetriedEither() {
        gateway.then(problem(422, "Unprocessable content", "must be >= 0", "payload.amount"))
                .then(problem(401, "Unauthorized", "unknown API key", null))
                .then(respond(404, "text/plain", "no such topic\n"))
                .then(respond(307, "text/plain", "", "Location", "http://127.0.0.1:1/elsewhere"));

        assertThatThrownBy(() -> client.publish("orders", 1)).isInstanceOfSatisfying(HooklineRejectedException.class,
                e -> assertThat(e.field()).isEqualTo("payload.amount"));
        assertThatThrownBy(() -> client.publish("orders", 1)).isInstanceOfSatisfying(HooklineRejectedException.class,
                e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> client.publish("orders", 1)).isInstanceOfSatisfying(HooklineRejectedException.class,
                e -> {
                    // Not a problem document: one is made up from the status and the body's text.
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.title()).isEqualTo("HTTP 404");
                    assertThat(e.detail()).isEqualTo("no such topic");
                });
        // A redirect is not followed: the event must not silently go somewhere else.
        assertThatThrownBy(() -> client.publish("orders", 1)).isInstanceOfSatisfying(HooklineRejectedException.class,
                e -> assertThat(e.status()).isEqualTo(307));
        assertThat(gateway.requests()).hasSize(4);
    }

    @Test
    void connectionRefusedIsRetriedThenReportedClearly() throws IOException {
        String deadUrl;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadUrl = "http://127.0.0.1:" + socket.getLocalPort();
        } // closed: nothing listens there any more, so connecting is refused
        HooklineClient toNowhere = clientFor(deadUrl, FAST.withMaxAttempts(3));

        assertThatThrownBy(() -> toNowhere.publish("orders", 1))
                .isInstanceOfSatisfying(HooklineConnectionException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.status()).isZero();
                    assertThat(e.idempotencyKey()).isPresent();
                    assertThat(e.getCause()).isInstanceOf(ConnectException.class);
                    assertThat(e).hasMessageContaining(deadUrl).hasMessageContaining("gave up after 3 attempts")
                            .hasMessageContaining("ConnectException");
                });
    }

    @Test
    void aDroppedConnectionIsRetriedWithTheSameKey() {
        gateway.then(dropConnection()).then(accepted("evt_after_reset", "orders"));

        assertThat(client.publish("orders", 1).id()).isEqualTo("evt_after_reset");

        assertThat(gateway.requests()).hasSize(2);
        assertThat(gateway.request(1).header("Idempotency-Key")).isEqualTo(gateway.request(0).header("Idempotency-Key"));
    }

    @Test
    void anAttemptThatTimesOutIsRetriedWithTheSameKeySoTheGatewayCanAnswerTheOriginalId() {
        // The first attempt may have been stored even though its answer never came: only the shared key lets
        // the gateway recognise the retry and answer with the original event id instead of storing it twice.
        HooklineClient impatient = HooklineClient.builder().baseUrl(gateway.url()).apiKey("hk_test_key")
                .retryPolicy(FAST).requestTimeout(Duration.ofMillis(300)).build();
        gateway.then(gateway.silence()).then(accepted("evt_original", "orders"));

        assertThat(impatient.publish("orders", 1).id()).isEqualTo("evt_original");

        assertThat(gateway.requests()).hasSize(2);
        assertThat(gateway.request(1).header("Idempotency-Key")).isEqualTo(gateway.request(0).header("Idempotency-Key"));
    }

    @Test
    void publishAsyncRetriesWithoutBlockingAndCompletesWithTheResult() {
        gateway.then(problem(503, "Service unavailable", "busy", null)).then(accepted("evt_async", "orders"));

        CompletableFuture<PublishResult> future = client.publishAsync("orders", new Order("o-3", 1));

        assertThat(future).succeedsWithin(Duration.ofSeconds(20))
                .isEqualTo(new PublishResult("evt_async", "orders"));
        assertThat(gateway.requests()).hasSize(2);
    }

    @Test
    void publishAsyncFailsTheFutureWithTheTypedException() {
        gateway.then(problem(403, "Forbidden", "topic belongs to another tenant", null));

        CompletableFuture<PublishResult> future = client.publishAsync("orders", 1);

        assertThat(future).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(HooklineRejectedException.class)
                .withMessageContaining("topic belongs to another tenant");
    }

    @Test
    void cancellingAnAsyncPublishStopsItsRetries() {
        gateway.then(problem(503, "Service unavailable", "busy", null, "Retry-After", "1"))
                .then(accepted("evt_never", "orders"));

        CompletableFuture<PublishResult> future = client.publishAsync("orders", 1);
        gateway.awaitRequests(1);
        future.cancel(false);

        // The retry was due one second after the 503; well past that, it still has not come.
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> gateway.requests().size() == 1);
        assertThat(gateway.unusedReplies()).isEqualTo(1);
    }

    @Test
    void aBaseUrlWithAPathPrefixIsKept() {
        gateway.then(accepted("evt_p", "orders"));
        HooklineClient proxied = clientFor(gateway.url() + "hookline", FAST);

        proxied.publish("orders", 1);

        assertThat(gateway.request(0).path()).isEqualTo("/hookline/v1/topics/orders/events");
    }

    @Test
    void an2xxWithoutAnEventIdIsReportedNotSwallowed() {
        gateway.then(json(202, "{}"));

        assertThatThrownBy(() -> client.publish("orders", 1)).isExactlyInstanceOf(HooklineException.class)
                .hasMessageContaining("without an event id");
    }

    @Test
    void invalidArgumentsFailBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.publish("Orders/../admin", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid topic name");
        assertThatThrownBy(() -> client.publish("orders", "  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.publish("orders", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> PublishOptions.orderingKey("a\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orderingKey");
        assertThatThrownBy(() -> client.publish("orders", new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be serialised");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void theBuilderNamesWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> HooklineClient.builder().apiKey("k").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> HooklineClient.builder().baseUrl("http://localhost:8080").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("apiKey");
        assertThatThrownBy(() -> HooklineClient.builder().baseUrl("ftp://localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> HooklineClient.builder().baseUrl("http://localhost:8080/?x=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        assertThat(HooklineClient.builder().baseUrl("http://localhost:8080").apiKey("k").build().baseUrl())
                .hasToString("http://localhost:8080/");
    }

    // ------------------------------------------------------------------ batch publish

    @Test
    void aBatchReportsEachItemsOutcomeAndSendsAKeyForEveryItem() throws Exception {
        gateway.then(json(202, "{\"results\":[{\"id\":\"evt_a\"},"
                + "{\"error\":{\"title\":\"Unprocessable content\",\"status\":422,\"detail\":\"must be >= 0\","
                + "\"field\":\"payload.amount\"}},{\"id\":\"evt_c\"}]}"));

        BatchResult result = client.publishBatch("orders", List.of(
                BatchEvent.of(new Order("a", 1)),
                BatchEvent.of("{\"id\":\"b\",\"amount\":-1}").withIdempotencyKey("order-b"),
                BatchEvent.of(JSON.readTree("[1,2]")).withOrderingKey("customer-3")));

        assertThat(result.topic()).isEqualTo("orders");
        assertThat(result.allSucceeded()).isFalse();
        assertThat(result.ids()).containsExactly("evt_a", "evt_c");
        assertThat(result.results()).extracting(BatchItemResult::index).containsExactly(0, 1, 2);
        BatchItemResult failed = result.failed().get(0);
        assertThat(failed.index()).isEqualTo(1);
        assertThat(failed.error().status()).isEqualTo(422);
        assertThat(failed.error().field()).isEqualTo("payload.amount");
        assertThat(failed.idempotencyKey()).isEqualTo("order-b");

        ScriptedGateway.Recorded request = gateway.request(0);
        assertThat(request.path()).isEqualTo("/v1/topics/orders/events/batch");
        JsonNode events = JSON.readTree(request.body()).get("events");
        assertThat(events).hasSize(3);
        assertThat(events.get(0).get("payload")).isEqualTo(JSON.readTree("{\"id\":\"a\",\"amount\":1}"));
        assertThat(UUID.fromString(events.get(0).get("idempotencyKey").asText())).isNotNull();
        assertThat(events.get(0).has("orderingKey")).isFalse();
        assertThat(events.get(1).get("payload")).isEqualTo(JSON.readTree("{\"id\":\"b\",\"amount\":-1}"));
        assertThat(events.get(1).get("idempotencyKey").asText()).isEqualTo("order-b");
        assertThat(events.get(2).get("payload")).isEqualTo(JSON.readTree("[1,2]"));
        assertThat(events.get(2).get("orderingKey").asText()).isEqualTo("customer-3");
        assertThat(result.results().get(0).idempotencyKey()).isEqualTo(events.get(0).get("idempotencyKey").asText());
    }

    @Test
    void aWholeBatch503IsRetriedWithTheSameItemKeys() throws Exception {
        gateway.then(problem(503, "Service unavailable", "busy", null))
                .then(json(202, "{\"results\":[{\"id\":\"evt_a\"},{\"id\":\"evt_b\"}]}"));

        BatchResult result = client.publishBatch("orders", List.of(BatchEvent.of(1), BatchEvent.of(2)));

        assertThat(result.ids()).containsExactly("evt_a", "evt_b");
        assertThat(JSON.readTree(gateway.request(1).body())).isEqualTo(JSON.readTree(gateway.request(0).body()));
    }

    @Test
    void itemsThatFailedTemporarilyAreResentAloneWithTheirKeys() throws Exception {
        gateway.then(json(202, "{\"results\":[{\"id\":\"evt_a\"},"
                        + "{\"error\":{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"not stored\"}},"
                        + "{\"id\":\"evt_c\"}]}"))
                .then(json(202, "{\"results\":[{\"id\":\"evt_b\"}]}"));

        BatchResult result = client.publishBatch("orders", List.of(BatchEvent.of(1), BatchEvent.of(2), BatchEvent.of(3)));

        assertThat(result.allSucceeded()).isTrue();
        assertThat(result.ids()).containsExactly("evt_a", "evt_b", "evt_c");
        JsonNode first = JSON.readTree(gateway.request(0).body()).get("events");
        JsonNode second = JSON.readTree(gateway.request(1).body()).get("events");
        assertThat(second).hasSize(1);
        assertThat(second.get(0)).isEqualTo(first.get(1));
    }

    @Test
    void storedItemsAreStillReportedWhenTheRetryOfTheRestFails() {
        gateway.then(json(202, "{\"results\":[{\"id\":\"evt_a\"},"
                        + "{\"error\":{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"not stored\"}}]}"))
                .then(problem(400, "Bad request", "gateway changed its mind", null));

        BatchResult result = client.publishBatch("orders", List.of(BatchEvent.of(1), BatchEvent.of(2)));

        assertThat(result.results().get(0).id()).isEqualTo("evt_a");
        assertThat(result.results().get(1).error().detail()).isEqualTo("gateway changed its mind");
    }

    @Test
    void aRejectedBatchThrowsWithTheProblem() {
        gateway.then(problem(413, "Payload too large", "batch body over 1048576 bytes", null));

        assertThatThrownBy(() -> client.publishBatch("orders", List.of(BatchEvent.of(1))))
                .isInstanceOfSatisfying(HooklineRejectedException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void aBatchAnswerWithoutOneResultPerEventIsReported() {
        gateway.then(json(202, "{\"results\":[{\"id\":\"evt_a\"}]}"));

        assertThatThrownBy(() -> client.publishBatch("orders", List.of(BatchEvent.of(1), BatchEvent.of(2))))
                .isExactlyInstanceOf(HooklineException.class).hasMessageContaining("one result per event");
    }

    @Test
    void rawJsonInABatchMustBeExactlyOneValueSoItCannotInjectEvents() {
        assertThatThrownBy(() -> client.publishBatch("orders",
                List.of(BatchEvent.of("1}, {\"payload\": 2, \"idempotencyKey\": \"x\""))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("events[0].payload");
        assertThatThrownBy(() -> client.publishBatch("orders", List.of(BatchEvent.of("1 2"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.publishBatch("orders", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void publishBatchAsyncCompletesWithThePerItemResults() {
        gateway.then(json(202, "{\"results\":[{\"id\":\"evt_a\"}]}"));

        assertThat(client.publishBatchAsync("orders", List.of(BatchEvent.of(1))))
                .succeedsWithin(Duration.ofSeconds(20)).extracting(BatchResult::ids).isEqualTo(List.of("evt_a"));
    }
}
