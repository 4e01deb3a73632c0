package io.hookline.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.EventIds;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.Problem;
import io.hookline.common.http.ProblemException;
import io.hookline.common.http.Router;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.log.LogContext;
import io.hookline.common.security.Principal;
import io.hookline.common.subscription.TopicRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publish endpoints. Every check that can refuse a request (auth, topic, content type, size, JSON, schema,
 * quota) runs before anything reaches Kafka, on the event loop, without blocking; the answer is written when Kafka
 * acknowledged the events, from the producer's callback.
 */
final class PublishApi {
    private static final Logger LOG = LoggerFactory.getLogger(PublishApi.class);

    static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    static final String ORDERING_KEY_HEADER = "Hookline-Ordering-Key";
    static final String OCCURRED_AT_HEADER = "Hookline-Occurred-At";
    /** Longest idempotency or ordering key, in characters. */
    static final int MAX_KEY_LENGTH = 255;

    /** A batch item that passed validation, with its index in the request. */
    private record ValidItem(int index, EventWriter.Outgoing record) {
    }

    private final GatewayConfig config;
    private final PublisherCache publishers;
    private final CompactedTopicView<TopicRecord> topics;
    private final TopicSchemas schemas;
    private final TenantPublishQuota quota;
    private final EventWriter writer;
    private final GatewayMetrics metrics;
    private final TopicNames names;
    private final BooleanSupplier ready;
    private final Clock clock;
    private volatile boolean draining;

    PublishApi(GatewayConfig config, PublisherCache publishers, CompactedTopicView<TopicRecord> topics,
               TopicSchemas schemas,
               TenantPublishQuota quota, EventWriter writer, GatewayMetrics metrics, TopicNames names,
               BooleanSupplier ready, Clock clock) {
        this.config = config;
        this.publishers = publishers;
        this.topics = topics;
        this.schemas = schemas;
        this.quota = quota;
        this.writer = writer;
        this.metrics = metrics;
        this.names = names;
        this.ready = ready;
        this.clock = clock;
    }

    void register(Router router) {
        router.addAsync("POST", "/v1/topics/{topic}/events", counted(this::publishOne, true));
        // A batch counts its items' outcomes itself; only a refusal of the whole request is counted here.
        router.addAsync("POST", "/v1/topics/{topic}/events/batch", counted(this::publishBatch, false));
    }

    /** From now on publishes answer 503 (with Retry-After) so clients go to another instance while this one drains. */
    void startDraining() {
        draining = true;
    }

    // ---- single event

    private CompletionStage<HttpResponse> publishOne(HttpRequest request) {
        requireServing();
        Principal principal = publishers.requirePublisher(request);
        TopicRecord topic = topicFor(principal, request.pathParam("topic"));
        requireUtf8Json(request);
        byte[] body = request.body();
        if (body.length > config.maxPayloadBytes()) {
            throw ProblemException.payloadTooLarge("the event payload exceeds the limit of " + config.maxPayloadBytes()
                    + " bytes");
        }
        if (schemas.hasSchema(topic)) {
            List<TopicSchemas.Violation> violations = validate(topic, PayloadParser.parse(body));
            if (!violations.isEmpty()) {
                return CompletableFuture.completedFuture(schemaProblem(topic, violations, ""));
            }
        } else {
            PayloadParser.check(body); // stored as sent: no tree needed without a schema
        }
        String idempotencyKey = key(request.header(IDEMPOTENCY_KEY_HEADER), IDEMPOTENCY_KEY_HEADER);
        String orderingKey = key(request.header(ORDERING_KEY_HEADER), ORDERING_KEY_HEADER);
        Instant receivedAt = clock.instant();
        Instant occurredAt = instant(request.header(OCCURRED_AT_HEADER), OCCURRED_AT_HEADER, receivedAt);
        admit(topic.tenant(), 1);
        String id = eventId(topic.tenant(), idempotencyKey);
        byte[] envelope = EnvelopeEncoder.encode(id, topic.name(), topic.tenant(), orderingKey, idempotencyKey,
                occurredAt, receivedAt, body);
        String kafkaKey = orderingKey != null ? orderingKey : id;
        // Built here, so the producer's network thread, which completes every publish, only hands it over.
        HttpResponse accepted = accepted(id, topic.name());
        CompletableFuture<RecordMetadata> ack = writer.write(List.of(
                new EventWriter.Outgoing(names.events(topic.name()), kafkaKey, envelope, id))).get(0);
        return ack.thenApply(metadata -> {
            metrics.published(1);
            if (LOG.isDebugEnabled()) { // this runs on the producer's I/O thread, for every event
                try (LogContext ids = LogContext.of(LogContext.EVENT_ID, id, LogContext.TENANT, topic.tenant(),
                        LogContext.TOPIC, topic.name())) {
                    LOG.debug("event {} on topic {} stored at {}-{}@{}", id, topic.name(), metadata.topic(),
                            metadata.partition(), metadata.offset());
                }
            }
            return accepted;
        });
    }

    /**
     * The 202 body {@code {"id":…,"topic":…}}, written directly: an event id is {@code evt_} and Crockford base32 and
     * a topic name matches {@link TopicNames#TOPIC_NAME}, so neither ever needs escaping.
     */
    static HttpResponse accepted(String id, String topic) {
        return new HttpResponse(202, Map.of(), "application/json",
                ("{\"id\":\"" + id + "\",\"topic\":\"" + topic + "\"}").getBytes(StandardCharsets.US_ASCII));
    }

    // ---- batch

    private CompletionStage<HttpResponse> publishBatch(HttpRequest request) {
        requireServing();
        Principal principal = publishers.requirePublisher(request);
        TopicRecord topic = topicFor(principal, request.pathParam("topic"));
        requireUtf8Json(request);
        if (request.body().length > config.maxBatchBytes()) {
            throw ProblemException.payloadTooLarge("the batch exceeds the limit of " + config.maxBatchBytes()
                    + " bytes");
        }
        JsonNode root = PayloadParser.parse(request.body());
        JsonNode events = root.isObject() ? root.get("events") : null;
        if (events == null || !events.isArray()) {
            throw ProblemException.unprocessable("the body must be {\"events\": [{\"payload\": ...}, ...]}", "events");
        }
        if (events.isEmpty()) {
            throw ProblemException.unprocessable("events must hold at least one event", "events");
        }
        if (events.size() > config.maxBatchEvents()) {
            throw ProblemException.unprocessable("a batch holds at most " + config.maxBatchEvents() + " events, got "
                    + events.size(), "events");
        }
        Instant receivedAt = clock.instant();
        Object[] results = new Object[events.size()];
        List<ValidItem> valid = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            try {
                valid.add(new ValidItem(i, batchItem(topic, events.get(i), i, receivedAt)));
            } catch (ProblemException e) {
                results[i] = Map.of("error", itemError(e.problem(), e.retryAfterSeconds(), null));
                metrics.rejected(reason(e.problem()), 1);
            } catch (ItemSchemaException e) {
                results[i] = Map.of("error", e.error);
                metrics.rejected("invalid-field", 1);
            }
        }
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(HttpResponse.json(202, Map.of("results", List.of(results))));
        }
        admit(topic.tenant(), valid.size());
        List<EventWriter.Outgoing> records = new ArrayList<>(valid.size());
        for (ValidItem item : valid) {
            records.add(item.record());
        }
        List<CompletableFuture<RecordMetadata>> acks = writer.write(records);
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
            int stored = 0;
            int unavailable = 0;
            int failed = 0;
            for (int k = 0; k < valid.size(); k++) {
                ValidItem item = valid.get(k);
                CompletableFuture<RecordMetadata> ack = acks.get(k);
                if (!ack.isCompletedExceptionally()) {
                    results[item.index()] = Map.of("id", item.record().eventId());
                    stored++;
                    continue;
                }
                ProblemException problem = problemOf(ack);
                results[item.index()] = Map.of("error", itemError(problem.problem(), problem.retryAfterSeconds(), null));
                metrics.rejected(reason(problem.problem()), 1);
                failed++;
                if (problem.problem().status() == 503) {
                    unavailable++;
                }
            }
            metrics.published(stored);
            if (stored == 0 && unavailable > 0 && unavailable == failed && valid.size() == events.size()) {
                // Nothing was stored and only because of Kafka: one 503 tells the client to retry the whole batch.
                throw ProblemException.unavailable("Kafka did not acknowledge the batch; none of it may be stored. "
                        + "Retry with the same idempotency keys to avoid duplicates",
                        EventWriter.UNAVAILABLE_RETRY_AFTER_SECONDS);
            }
            return HttpResponse.json(202, Map.of("results", List.of(results)));
        });
    }

    private EventWriter.Outgoing batchItem(TopicRecord topic, JsonNode item, int index, Instant receivedAt) {
        String at = "events[" + index + "]";
        if (!item.isObject()) {
            throw ProblemException.unprocessable(at + " must be an object with a payload", at);
        }
        JsonNode payload = item.get("payload");
        if (payload == null) {
            throw ProblemException.unprocessable(at + ".payload is required", at + ".payload");
        }
        String idempotencyKey = key(textField(item, "idempotencyKey", at), at + ".idempotencyKey");
        String orderingKey = key(textField(item, "orderingKey", at), at + ".orderingKey");
        Instant occurredAt = instant(textField(item, "occurredAt", at), at + ".occurredAt", receivedAt);
        List<TopicSchemas.Violation> violations = validate(topic, payload);
        if (!violations.isEmpty()) {
            throw new ItemSchemaException(schemaError(topic, violations, at + ".payload"));
        }
        byte[] rawPayload = EnvelopeEncoder.encodePayload(payload);
        if (rawPayload.length > config.maxPayloadBytes()) {
            throw ProblemException.payloadTooLarge(at + ".payload exceeds the limit of " + config.maxPayloadBytes()
                    + " bytes");
        }
        String id = eventId(topic.tenant(), idempotencyKey);
        byte[] envelope = EnvelopeEncoder.encode(id, topic.name(), topic.tenant(), orderingKey, idempotencyKey,
                occurredAt, receivedAt, rawPayload);
        return new EventWriter.Outgoing(names.events(topic.name()), orderingKey != null ? orderingKey : id, envelope,
                id);
    }

    private static String textField(JsonNode item, String field, String at) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ProblemException.unprocessable(at + "." + field + " must be a string", at + "." + field);
        }
        return value.textValue();
    }

    /** A batch item that fails the topic's schema; carries its error object, violations included. */
    private static final class ItemSchemaException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, Object> error;

        ItemSchemaException(Map<String, Object> error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    // ---- checks shared by both endpoints

    private void requireServing() {
        if (draining) {
            throw ProblemException.unavailable("the gateway is shutting down; retry on another instance",
                    EventWriter.BUSY_RETRY_AFTER_SECONDS);
        }
        if (!ready.getAsBoolean()) {
            throw ProblemException.unavailable("the gateway is still loading topics and API keys; retry shortly",
                    EventWriter.BUSY_RETRY_AFTER_SECONDS);
        }
    }

    /** The topic, if it exists and the caller may publish to it; another tenant's topic is as unknown as a missing one. */
    private TopicRecord topicFor(Principal principal, String name) {
        // The view holds only valid names, so a lookup answers for any string; no need to match the pattern first.
        TopicRecord topic = topics.get(name).orElse(null);
        if (topic == null || !principal.canSee(topic.tenant())) {
            throw ProblemException.notFound("no topic named '" + abbreviate(name) + "'");
        }
        return topic;
    }

    private static void requireUtf8Json(HttpRequest request) {
        String type = request.header("content-type");
        if ("application/json".equalsIgnoreCase(type)) {
            return; // what nearly every publisher sends; the general check below splits and lowercases
        }
        request.requireJsonContentType();
        int semicolon = type.indexOf(';');
        if (semicolon >= 0) {
            for (String parameter : type.substring(semicolon + 1).split(";")) {
                String[] pair = parameter.trim().split("=", 2);
                if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
                    String charset = pair[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                    if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                        throw ProblemException.unsupportedMediaType("JSON must be UTF-8, got charset " + charset);
                    }
                }
            }
        }
    }

    private List<TopicSchemas.Violation> validate(TopicRecord topic, JsonNode payload) {
        try {
            return schemas.validate(topic, payload);
        } catch (TopicSchemas.SchemaUnusableException e) {
            throw new ProblemException(Problem.of(422, "unusable-schema", "Unusable topic schema",
                    "topic '" + topic.name() + "' has a JSON Schema that cannot be applied (" + e.getMessage()
                            + "); update the topic's schema", "schema"));
        }
    }

    private void admit(String tenant, int events) {
        TenantPublishQuota.Decision decision = quota.tryAcquire(tenant, events);
        if (!decision.admitted()) {
            throw ProblemException.tooManyRequests("tenant '" + tenant + "' is over its publish quota of "
                    + config.publishRateOf(tenant) + " events per second", decision.retryAfterSeconds());
        }
    }

    private static String eventId(String tenant, String idempotencyKey) {
        return idempotencyKey != null ? IdempotentEventIds.eventId(tenant, idempotencyKey) : EventIds.newEventId();
    }

    /** An idempotency or ordering key: 1-255 visible ASCII characters or spaces; absent is fine. */
    static String key(String value, String field) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_KEY_LENGTH) {
            throw ProblemException.badRequest(field + " must be 1 to " + MAX_KEY_LENGTH + " characters", field);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw ProblemException.badRequest(field + " may hold only printable ASCII characters", field);
            }
        }
        return value;
    }

    private static Instant instant(String value, String field, Instant fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field + " must be an ISO-8601 timestamp with offset, e.g. "
                    + "2024-05-01T12:00:00Z", field);
        }
    }

    // ---- problems and metrics

    private HttpResponse schemaProblem(TopicRecord topic, List<TopicSchemas.Violation> violations, String prefix) {
        metrics.rejected("invalid-field", 1);
        return new HttpResponse(422, Map.of(), Problem.CONTENT_TYPE, Json.write(schemaError(topic, violations, prefix)));
    }

    /**
     * A 422 problem document listing the violations; {@code field} is the first failing JSON Pointer into the
     * payload ({@code ""} is the payload itself).
     */
    private static Map<String, Object> schemaError(TopicRecord topic, List<TopicSchemas.Violation> violations,
                                                   String prefix) {
        TopicSchemas.Violation first = violations.get(0);
        Problem problem = Problem.of(422, "invalid-field", "Unprocessable content", "the payload does not match the "
                + "JSON Schema of topic '" + topic.name() + "': " + (first.path().isEmpty() ? "" : first.path() + ": ")
                + first.message(), prefix + first.path());
        List<Map<String, String>> errors = new ArrayList<>();
        for (TopicSchemas.Violation v : violations) {
            errors.add(Map.of("path", v.path(), "message", v.message()));
        }
        return itemError(problem, null, errors);
    }

    private static Map<String, Object> itemError(Problem problem, Integer retryAfterSeconds, List<?> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        if (problem.field() != null) {
            body.put("field", problem.field());
        }
        if (errors != null) {
            body.put("errors", errors);
        }
        if (retryAfterSeconds != null) {
            body.put("retryAfterSeconds", retryAfterSeconds);
        }
        return body;
    }

    private static ProblemException problemOf(CompletableFuture<?> failed) {
        try {
            failed.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ProblemException problem) {
                return problem;
            }
        }
        return ProblemException.unavailable("Kafka did not acknowledge the event", EventWriter.UNAVAILABLE_RETRY_AFTER_SECONDS);
    }

    /** Wraps a handler so every refusal is counted by reason; a request refused as a whole counts once. */
    private Router.AsyncHandler counted(Router.AsyncHandler handler, boolean countAsyncFailures) {
        return request -> {
            CompletionStage<HttpResponse> outcome;
            try {
                outcome = handler.handle(request);
            } catch (ProblemException e) {
                metrics.rejected(reason(e.problem()), 1);
                throw e;
            }
            if (!countAsyncFailures) {
                return outcome;
            }
            return outcome.whenComplete((response, error) -> {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof ProblemException problem) {
                    metrics.rejected(reason(problem.problem()), 1);
                }
            });
        };
    }

    /** The problem type's slug ({@code https://hookline.dev/problems/not-found} → {@code not-found}). */
    static String reason(Problem problem) {
        String type = problem.type();
        return type.substring(type.lastIndexOf('/') + 1);
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
