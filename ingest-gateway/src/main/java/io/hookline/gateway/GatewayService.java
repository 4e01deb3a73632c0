package io.hookline.gateway;

import io.hookline.common.config.KafkaSettings;
import io.hookline.common.http.HttpServer;
import io.hookline.common.http.ReadinessCheck;
import io.hookline.common.http.Router;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.kafka.KafkaReachability;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.service.Metrics;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.common.subscription.TopicRecord;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest gateway: authenticates publishers against the {@code hookline.api-keys} view, finds topics in the
 * {@code hookline.topics} view (no database on the hot path), and writes each event to {@code hookline.events.<topic>}
 * with an idempotent {@code acks=all} producer, answering 202 only once Kafka acknowledged it.
 */
public final class GatewayService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);
    public static final String SERVICE = "hookline-ingest-gateway";

    /** How long start() waits for the views before serving anyway (readiness stays false until they are loaded). */
    private static final Duration VIEW_LOAD_WAIT = Duration.ofSeconds(15);
    private static final int SENDER_THREADS = 4;

    private final GatewayConfig config;
    private final PrometheusMeterRegistry meters;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private CompactedTopicView<TopicRecord> topicView;
    private CompactedTopicView<ApiKeyRecord> apiKeyView;
    private EventWriter writer;
    private PublishApi api;
    private HttpServer server;

    private GatewayService(GatewayConfig config, PrometheusMeterRegistry meters) {
        this.config = config;
        this.meters = meters;
    }

    /**
     * Checks that Kafka is reachable (one-line {@code ConfigException} naming the variable otherwise), ensures the
     * compacted topics it reads, starts the views, the producer and the HTTP server.
     */
    public static GatewayService start(GatewayConfig config) {
        return start(config, Metrics.newRegistry(SERVICE));
    }

    public static GatewayService start(GatewayConfig config, PrometheusMeterRegistry meters) {
        GatewayService service = new GatewayService(config, meters);
        try {
            service.startComponents();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startComponents() {
        KafkaSettings kafka = config.kafka();
        TopicNames names = kafka.topicNames();
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            KafkaReachability.require(admin, kafka.bootstrapServers(), config.startupTimeout());
            Set<String> needed = Set.of(names.topicRegistry(), names.apiKeys());
            List<NewTopic> topics = new ArrayList<>();
            for (NewTopic topic : new TopicProvisioner(admin, names)
                    .systemTopics(TopicProvisioner.DEFAULT_DELIVERY_PARTITIONS)) {
                if (needed.contains(topic.name())) {
                    topics.add(topic);
                }
            }
            new TopicProvisioner(admin, names).ensure(topics, config.startupTimeout());
        }

        GatewayMetrics metrics = new GatewayMetrics(meters);
        TopicSchemas schemas = new TopicSchemas();
        ApiKeyDirectory directory = new ApiKeyDirectory(config.adminKey());
        PublisherCache publishers = new PublisherCache(directory);
        // The cache after the directory: it empties itself once the directory has applied a change.
        apiKeyView = new CompactedTopicView<>(names.apiKeys(), viewConfig("api-keys"),
                bytes -> Json.read(bytes, ApiKeyRecord.class)).addListener(directory).addListener(publishers);
        closeables.add(apiKeyView);
        topicView = new CompactedTopicView<>(names.topicRegistry(), viewConfig("topics"),
                bytes -> Json.read(bytes, TopicRecord.class))
                .addListener((name, previous, current) -> schemas.forget(name));
        closeables.add(topicView);
        apiKeyView.start();
        topicView.start();

        writer = new EventWriter(producerConfig(config), SENDER_THREADS, config.maxInFlightEvents(),
                config.maxInFlightBytes(), metrics);
        closeables.add(() -> writer.close(config.shutdownTimeout()));

        awaitViews();
        api = new PublishApi(config, publishers, topicView, schemas,
                new TenantPublishQuota(config::publishRateOf), writer, metrics, names, this::viewsReady,
                Clock.systemUTC());
        Router router = new Router();
        api.register(router);
        HttpServer.Settings settings = new HttpServer.Settings(SERVICE, config.httpHost(), config.httpPort(),
                config.maxRequestBytes(), config.requestTimeout(), config.idleTimeout(), config.shutdownTimeout(),
                4, 0);
        server = HttpServer.start(settings, router, List.of(
                ReadinessCheck.of("topics-view", topicView::isReady),
                ReadinessCheck.of("api-keys-view", apiKeyView::isReady)), meters);
        LOG.info("ingest gateway publishing to Kafka at {} (topic prefix {}), max payload {} bytes",
                kafka.bootstrapServers(), kafka.topicPrefix(), config.maxPayloadBytes());
    }

    private void awaitViews() {
        try {
            boolean loaded = apiKeyView.awaitReady(VIEW_LOAD_WAIT) && topicView.awaitReady(VIEW_LOAD_WAIT);
            if (!loaded) {
                LOG.warn("topic and API-key views not loaded after {}; publishes answer 503 until they are",
                        VIEW_LOAD_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean viewsReady() {
        return topicView.isReady() && apiKeyView.isReady();
    }

    private Map<String, Object> viewConfig(String view) {
        Map<String, Object> c = new HashMap<>(config.kafka().clientConfig());
        c.put("client.id", SERVICE + "-view-" + view + "-" + Long.toHexString(System.nanoTime()));
        return c;
    }

    /**
     * The producer's settings. Durability ones are forced ({@code acks=all}, idempotence), so no pass-through can
     * weaken what a 202 promises; tuning ones are defaults a {@code HOOKLINE_KAFKA_*} variable may override.
     */
    static Map<String, Object> producerConfig(GatewayConfig config) {
        Map<String, Object> c = new HashMap<>(config.kafka().clientConfig());
        // Kafka's own default since 4.0. Measured against 2 ms (bench/RESULTS.md, gateway section): fuller batches
        // cost the producer and the broker about a quarter less CPU per event, for up to 3 ms more latency.
        c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        c.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        // send() blocks at most this long for topic metadata; it runs on sender threads, not the event loop.
        c.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        c.put(ProducerConfig.CLIENT_ID_CONFIG, SERVICE + "-" + Long.toHexString(System.nanoTime()));
        // A publish gets its answer within the publish timeout: Kafka's own retries must end by then.
        long deliveryMs = config.publishTimeout().toMillis();
        long lingerMs = Long.parseLong(c.get(ProducerConfig.LINGER_MS_CONFIG).toString());
        long requestMs = Math.max(500, Math.min(30_000, (deliveryMs - lingerMs) / 2));
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryMs));
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(requestMs, deliveryMs - lingerMs)));
        // The gateway's in-flight budget stays well below the buffer, so send() never waits for buffer space;
        // the margin covers partly filled batches across many partitions.
        long buffer = Math.max(64L * 1024 * 1024, 2 * config.maxInFlightBytes());
        c.merge(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(buffer),
                (given, ours) -> Long.toString(Math.max(Long.parseLong(given.toString()), Long.parseLong(ours.toString()))));
        // A record is an envelope around one payload of up to the payload limit.
        long record = config.maxPayloadBytes() + 64L * 1024;
        c.merge(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(Math.max(1024 * 1024, record)),
                (given, ours) -> Long.toString(Math.max(Long.parseLong(given.toString()), record)));
        return c;
    }

    public int httpPort() {
        return server.port();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Whether the topic and API-key views are loaded (what {@code /readyz} reports). */
    public boolean isReady() {
        return topicView != null && apiKeyView != null && viewsReady();
    }

    /**
     * Graceful shutdown: new publishes answer 503 with Retry-After, the HTTP server stops accepting and waits (up to
     * the shutdown timeout) for publishes in flight to be acknowledged and answered, then the producer, the views.
     */
    @Override
    public void close() {
        if (api != null) {
            api.startDraining();
        }
        if (server != null) {
            server.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping the gateway: {}", e.toString());
            }
        }
        closeables.clear();
    }
}
