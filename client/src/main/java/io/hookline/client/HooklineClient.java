package io.hookline.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * Publishes events to a Hookline ingest gateway.
 *
 * <pre>{@code
 * HooklineClient hookline = HooklineClient.builder()
 *         .baseUrl("https://hookline.internal:8080")
 *         .apiKey(System.getenv("HOOKLINE_API_KEY"))
 *         .build();
 * PublishResult r = hookline.publish("orders.created", order);
 * }</pre>
 *
 * <p><b>Payloads.</b> Any object Jackson can serialise (with the client's {@link ObjectMapper}), a
 * {@link JsonNode}, or JSON text given as a {@code String} or UTF-8 {@code byte[]} (sent as it is; to publish a
 * JSON string value, pass a {@code TextNode}).
 *
 * <p><b>Idempotency.</b> Every publish carries an {@code Idempotency-Key}: the caller's
 * ({@link PublishOptions#idempotencyKey(String)}) or a fresh UUID generated for that publish. Retries of one
 * publish reuse its key, so a retry after a lost answer can never store the event twice. Batch items get one
 * key each, the same way.
 *
 * <p><b>Retries</b> follow the {@link RetryPolicy}: connection errors, timeouts, 503, 429, 502 and 504 are
 * retried with exponential backoff and jitter, never sooner than the gateway's {@code Retry-After}. Any other
 * error is reported at once as a {@link HooklineRejectedException}. Failures are {@link HooklineException}s
 * (unchecked); the async variants complete exceptionally with them.
 *
 * <p>Instances are immutable and thread-safe; share one per gateway. The waits between retries are scheduled,
 * so the async variants never block a thread.
 */
public final class HooklineClient {
    /** Topic names as DESIGN.md defines them; also keeps anything odd out of the request path. */
    private static final Pattern TOPIC = Pattern.compile("[a-z0-9][a-z0-9._-]{0,199}");
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String ORDERING_KEY = "Hookline-Ordering-Key";
    private static final String USER_AGENT = userAgent();

    private final URI baseUrl;
    private final String authorization;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final ObjectReader strictReader;
    private final Clock clock;

    private HooklineClient(Builder b) {
        this.baseUrl = b.baseUrl;
        this.authorization = "Bearer " + b.apiKey;
        this.requestTimeout = b.requestTimeout;
        this.retryPolicy = b.retryPolicy;
        this.mapper = b.objectMapper != null ? b.objectMapper : JsonMapper.builder().findAndAddModules().build();
        // Trailing tokens would let a raw JSON string smuggle extra structure into a batch body.
        this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                // The gateway speaks HTTP/1.1 with keep-alive; this also avoids an h2c upgrade on plain http.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.clock = Clock.systemUTC();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The gateway's base URL, always ending with {@code /}. */
    public URI baseUrl() {
        return baseUrl;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    // ---------------------------------------------------------------- single publish

    /** Publishes one event with a generated idempotency key; blocks until the gateway stored it or gave up. */
    public PublishResult publish(String topic, Object payload) {
        return publish(topic, payload, PublishOptions.none());
    }

    /**
     * Publishes one event; blocks until the gateway stored it (acknowledged by Kafka) or the retries gave up.
     *
     * @throws HooklineRejectedException    the gateway refused it (not retried)
     * @throws HooklineUnavailableException the gateway stayed overloaded/unavailable
     * @throws HooklineConnectionException  the gateway could not be reached or did not answer in time
     * @throws IllegalArgumentException     the topic name or payload is invalid (nothing sent)
     */
    public PublishResult publish(String topic, Object payload, PublishOptions options) {
        return await(publishAsync(topic, payload, options));
    }

    public CompletableFuture<PublishResult> publishAsync(String topic, Object payload) {
        return publishAsync(topic, payload, PublishOptions.none());
    }

    /**
     * Like {@link #publish(String, Object, PublishOptions)} without blocking. Invalid arguments throw at once;
     * every other failure completes the future exceptionally with a {@link HooklineException}. Cancelling the
     * future stops further retries.
     */
    public CompletableFuture<PublishResult> publishAsync(String topic, Object payload, PublishOptions options) {
        checkTopic(topic);
        Objects.requireNonNull(options, "options");
        byte[] body = payloadBytes(payload);
        String key = options.idempotencyKey() != null ? options.idempotencyKey() : newIdempotencyKey();
        HttpRequest.Builder builder = request("v1/topics/" + topic + "/events").header(IDEMPOTENCY_KEY, key);
        if (options.orderingKey() != null) {
            builder.header(ORDERING_KEY, options.orderingKey());
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return new RetryingCall<>(http, mapper, retryPolicy, clock, "publish to topic '" + topic + "'",
                baseUrl.toString(), key, new RetryingCall.Exchange<PublishResult>() {
                    @Override
                    public HttpRequest nextRequest() {
                        return request;
                    }

                    @Override
                    public RetryingCall.Step<PublishResult> onSuccess(HttpResponse<byte[]> response) {
                        return RetryingCall.Step.done(publishResult(response, topic, key));
                    }
                }).start();
    }

    // ---------------------------------------------------------------- batch publish

    /**
     * Publishes several events in one request; blocks until every item has an outcome. Each item is stored or
     * not on its own (see {@link BatchResult}); items the gateway reports as temporarily failed (503/429) are
     * sent again, alone, with their same idempotency keys, while the retry policy allows.
     *
     * @throws HooklineRejectedException    the gateway refused the whole batch (e.g. too large, bad key)
     * @throws HooklineUnavailableException the gateway stayed overloaded/unavailable for the whole batch
     * @throws HooklineConnectionException  the gateway could not be reached or did not answer in time
     * @throws IllegalArgumentException     the topic, the list or a payload is invalid (nothing sent)
     */
    public BatchResult publishBatch(String topic, List<BatchEvent> events) {
        return await(publishBatchAsync(topic, events));
    }

    /** Like {@link #publishBatch(String, List)} without blocking. */
    public CompletableFuture<BatchResult> publishBatchAsync(String topic, List<BatchEvent> events) {
        checkTopic(topic);
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one event");
        }
        List<ObjectNode> items = new ArrayList<>(events.size());
        List<String> keys = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            BatchEvent event = Objects.requireNonNull(events.get(i), "events[" + i + "]");
            String key = event.idempotencyKey() != null ? event.idempotencyKey() : newIdempotencyKey();
            ObjectNode item = mapper.createObjectNode();
            item.set("payload", payloadTree(event.payload(), "events[" + i + "].payload"));
            item.put("idempotencyKey", key);
            if (event.orderingKey() != null) {
                item.put("orderingKey", event.orderingKey());
            }
            items.add(item);
            keys.add(key);
        }
        BatchExchange exchange = new BatchExchange(topic, items, keys);
        return new RetryingCall<>(http, mapper, retryPolicy, clock,
                "batch publish of " + items.size() + " events to topic '" + topic + "'", baseUrl.toString(), null,
                exchange).start();
    }

    /** Sends the still-pending items of a batch and merges each answer into the per-item results. */
    private final class BatchExchange implements RetryingCall.Exchange<BatchResult> {
        private final String topic;
        private final URI uri;
        private final List<ObjectNode> items;
        private final List<String> keys;
        private final BatchItemResult[] results;
        private List<Integer> pending;

        BatchExchange(String topic, List<ObjectNode> items, List<String> keys) {
            this.topic = topic;
            this.uri = baseUrl.resolve("v1/topics/" + topic + "/events/batch");
            this.items = items;
            this.keys = keys;
            this.results = new BatchItemResult[items.size()];
            this.pending = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                pending.add(i);
            }
        }

        @Override
        public HttpRequest nextRequest() {
            ObjectNode body = mapper.createObjectNode();
            ArrayNode events = body.putArray("events");
            for (int index : pending) {
                events.add(items.get(index));
            }
            byte[] bytes;
            try {
                bytes = mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new HooklineException("could not serialise the batch body", e);
            }
            return request(uri).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        }

        @Override
        public RetryingCall.Step<BatchResult> onSuccess(HttpResponse<byte[]> response) {
            JsonNode json = ResponseBodies.json(response, mapper);
            JsonNode answers = json == null ? null : json.get("results");
            if (answers == null || !answers.isArray() || answers.size() != pending.size()) {
                throw new HooklineException("the gateway answered " + response.statusCode() + " to a batch of "
                        + pending.size() + " events without one result per event: "
                        + ResponseBodies.snippet(response.body()), null);
            }
            List<Integer> transientFailures = new ArrayList<>();
            for (int k = 0; k < pending.size(); k++) {
                int index = pending.get(k);
                JsonNode answer = answers.get(k);
                JsonNode id = answer.get("id");
                if (id != null && id.isTextual() && !id.asText().isEmpty()) {
                    results[index] = new BatchItemResult(index, id.asText(), null, keys.get(index));
                    continue;
                }
                Problem error = Problem.fromJson(answer.get("error"), 0);
                if (error.title() == null && error.detail() == null && error.status() == 0) {
                    error = new Problem(null, "Unreadable result", 0, ResponseBodies.snippet(answer.toString().getBytes(
                            StandardCharsets.UTF_8)), null, null);
                }
                results[index] = new BatchItemResult(index, null, error, keys.get(index));
                if (RetryingCall.isRetryableStatus(error.status())) {
                    transientFailures.add(index);
                }
            }
            BatchResult sofar = new BatchResult(topic, List.of(results));
            if (transientFailures.isEmpty()) {
                return RetryingCall.Step.done(sofar);
            }
            String reason = transientFailures.size() + " of " + pending.size() + " items failed temporarily ("
                    + results[transientFailures.get(0)].error().summary() + ")";
            pending = transientFailures;
            return RetryingCall.Step.retry(sofar,
                    RetryAfterHeader.parse(response.headers().firstValue("retry-after"), clock.instant()), reason);
        }

        @Override
        public BatchResult giveUp(HooklineException failure) {
            if (results[0] == null) {
                throw failure; // no attempt got an answer per item: the whole batch failed, nothing was stored
            }
            // An earlier attempt had per-item outcomes (some stored): those must reach the caller, so the failure
            // goes on the items that were still pending.
            Problem error = failure.problem().orElseGet(() -> new Problem(null, "Gateway unreachable",
                    failure.status(), failure.getMessage(), null, null));
            for (int index : pending) {
                results[index] = new BatchItemResult(index, null, error, keys.get(index));
            }
            return new BatchResult(topic, List.of(results));
        }
    }

    // ---------------------------------------------------------------- plumbing

    private HttpRequest.Builder request(String path) {
        return request(baseUrl.resolve(path));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
    }

    private PublishResult publishResult(HttpResponse<byte[]> response, String topic, String key) {
        JsonNode json = ResponseBodies.json(response, mapper);
        JsonNode id = json == null ? null : json.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new HooklineException("the gateway answered " + response.statusCode()
                    + " without an event id (idempotency key " + key + "): "
                    + ResponseBodies.snippet(response.body()), null);
        }
        JsonNode answeredTopic = json.get("topic");
        return new PublishResult(id.asText(),
                answeredTopic != null && answeredTopic.isTextual() ? answeredTopic.asText() : topic);
    }

    private static void checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (!TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("invalid topic name '" + topic
                    + "': use 1 to 200 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
    }

    /** The body of a single publish: JSON text is sent as given; anything else is serialised. */
    private byte[] payloadBytes(Object payload) {
        Objects.requireNonNull(payload, "payload (use NullNode.getInstance() to publish a JSON null)");
        if (payload instanceof String text) {
            if (text.isBlank()) {
                throw new IllegalArgumentException("payload is an empty string; JSON text is expected");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (payload instanceof byte[] bytes) {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("payload is empty; JSON text is expected");
            }
            return bytes.clone();
        }
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be serialised to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A batch item's payload as a tree: JSON text is parsed so it can only ever be one value. */
    private JsonNode payloadTree(Object payload, String name) {
        Objects.requireNonNull(payload, name);
        try {
            if (payload instanceof JsonNode node) {
                return node;
            }
            if (payload instanceof String text) {
                return checkedTree(strictReader.readTree(text), name);
            }
            if (payload instanceof byte[] bytes) {
                return checkedTree(strictReader.readTree(bytes), name);
            }
            return mapper.valueToTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " is not valid JSON text: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " cannot be serialised to JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode checkedTree(JsonNode node, String name) {
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException(name + " is empty; JSON text is expected");
        }
        return node;
    }

    private static String newIdempotencyKey() {
        return UUID.randomUUID().toString();
    }

    /** Waits for an async call; its {@link HooklineException} is rethrown as it is. */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new HooklineException("interrupted while publishing; the event may or may not have been stored", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new HooklineException("publish failed: " + cause, cause);
        }
    }

    private static String userAgent() {
        String version = HooklineClient.class.getPackage().getImplementationVersion();
        return "hookline-java-client" + (version != null ? "/" + version : "") + " java/"
                + Runtime.version().feature();
    }

    /** Settings of a {@link HooklineClient}; only the base URL and the API key are required. */
    public static final class Builder {
        private URI baseUrl;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(15);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private HttpClient httpClient;
        private ObjectMapper objectMapper;

        private Builder() {
        }

        /** The ingest gateway, e.g. {@code http://localhost:8080}; a path prefix (behind a proxy) is kept. */
        public Builder baseUrl(String url) {
            Objects.requireNonNull(url, "baseUrl");
            try {
                return baseUrl(new URI(url.strip()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("baseUrl is not a valid URL: " + e.getMessage(), e);
            }
        }

        public Builder baseUrl(URI url) {
            Objects.requireNonNull(url, "baseUrl");
            String scheme = url.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || url.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL with a host, got " + url);
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("baseUrl must not have a query, fragment or user info: " + url);
            }
            String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            this.baseUrl = URI.create(url.getScheme() + "://" + url.getRawAuthority()
                    + (path.endsWith("/") ? path : path + "/"));
            return this;
        }

        /** An API key with the {@code publish} scope; sent as {@code Authorization: Bearer <key>}. */
        public Builder apiKey(String apiKey) {
            Objects.requireNonNull(apiKey, "apiKey");
            if (apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            HeaderValues.check(apiKey, "apiKey");
            this.apiKey = apiKey;
            return this;
        }

        /** Time to open a connection (default 5 s). Ignored when an {@link #httpClient} is given. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Time for one attempt's answer (default 15 s, above the gateway's default publish timeout of 10 s, so
         * the gateway's own 503 normally arrives first). A timed-out attempt is retried with the same key.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /**
         * The JDK client to send with (proxy, TLS, executor settings). It should not follow redirects: a
         * redirected publish is reported as rejected rather than silently re-sent elsewhere.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /** The mapper that serialises payload objects (default: a plain mapper with the modules on the classpath). */
        public Builder objectMapper(ObjectMapper mapper) {
            this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
            return this;
        }

        public HooklineClient build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required (the ingest gateway, e.g. http://localhost:8080)");
            }
            if (apiKey == null) {
                throw new IllegalStateException("apiKey is required (an API key with the publish scope)");
            }
            return new HooklineClient(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
