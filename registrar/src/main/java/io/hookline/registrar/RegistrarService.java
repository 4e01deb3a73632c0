package io.hookline.registrar;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.config.KafkaSettings;
import io.hookline.common.http.HttpServer;
import io.hookline.common.http.ReadinessCheck;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.kafka.KafkaReachability;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.service.Metrics;
import io.hookline.common.subscription.ApiKeyRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.api.AdminRoutes;
import io.hookline.registrar.api.AttemptRoutes;
import io.hookline.registrar.attempts.AttemptRecorder;
import io.hookline.registrar.store.AttemptRepository;
import io.hookline.registrar.api.ApiKeyDirectoryFeed;
import io.hookline.registrar.api.ApiKeyRoutes;
import io.hookline.registrar.api.SubscriptionRoutes;
import io.hookline.registrar.api.TestEventPublisher;
import io.hookline.registrar.api.OpenApiRoute;
import io.hookline.registrar.api.RouteTable;
import io.hookline.registrar.api.TopicRoutes;
import io.hookline.registrar.health.EndpointHealth;
import io.hookline.registrar.health.OperationalEvents;
import io.hookline.registrar.outbox.OutboxRelay;
import io.hookline.registrar.outbox.StateRepublisher;
import io.hookline.registrar.store.ApiKeyRepository;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.SubscriptionRepository;
import io.hookline.registrar.store.SubscriptionStatusWriter;
import io.hookline.registrar.store.TopicRepository;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar: source of truth for API keys, topics and subscriptions (PostgreSQL), broadcasting every change
 * to the compacted Kafka topics through a transactional outbox, behind the management API of DESIGN.md
 * section 6. {@link #start} checks Kafka and the database first (one-line errors naming the variable), migrates
 * the schema, ensures the system topics, starts the outbox relay and the API key view, then the HTTP server.
 */
public final class RegistrarService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrarService.class);

    private final Deque<AutoCloseable> resources;
    private final HttpServer server;
    private final ServiceDatabase database;
    private final OutboxRelay relay;
    private final List<String> endpoints;
    private final AttemptRecorder recorder;

    private RegistrarService(Deque<AutoCloseable> resources, HttpServer server, ServiceDatabase database,
                             OutboxRelay relay, AttemptRecorder recorder, List<String> endpoints) {
        this.resources = resources;
        this.recorder = recorder;
        this.endpoints = endpoints;
        this.server = server;
        this.database = database;
        this.relay = relay;
    }

    public static RegistrarService start(RegistrarConfig config) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            KafkaSettings kafka = config.kafka();
            TopicNames names = kafka.topicNames();
            Duration kafkaTimeout = config.kafkaTimeout();
            PrometheusMeterRegistry meters = Metrics.newRegistry("registrar");

            Admin admin = KafkaReachability.openAdmin(kafka, "hookline-registrar-admin", kafkaTimeout);
            opened.push(() -> admin.close(Duration.ofSeconds(5)));

            ServiceDatabase database = ServiceDatabase.open(config.database(), "registrar", "db/migration", meters);
            opened.push(database);

            TopicProvisioner provisioner = new TopicProvisioner(admin, names);
            provisioner.ensureSystemTopics(config.deliveryPartitions(), kafkaTimeout);

            OutboxRepository outbox = new OutboxRepository();
            ApiKeyRepository apiKeys = new ApiKeyRepository();
            TopicRepository topics = new TopicRepository();
            SubscriptionRepository subscriptions = new SubscriptionRepository();

            KafkaProducer<String, byte[]> producer = OutboxRelay.newProducer(kafka.clientConfig(), kafkaTimeout);
            opened.push(() -> producer.close(Duration.ofSeconds(5)));
            OutboxRelay relay = new OutboxRelay(database, outbox, producer, names, config.outboxPollInterval(),
                    kafkaTimeout.plusSeconds(5), meters);
            database.onCommit(relay::wake);
            OperationalEvents.ensureTopic(database, topics, outbox, provisioner, admin, names, kafkaTimeout);
            relay.publishPendingNow(); // what start-up wrote is on Kafka before the service answers
            relay.start();
            opened.push(relay);

            AttemptRepository attemptRepository = new AttemptRepository();
            EndpointHealth health = new EndpointHealth(subscriptions, attemptRepository,
                    new SubscriptionStatusWriter(subscriptions, outbox), new OperationalEvents(outbox),
                    config.disableAfter(), meters);
            AttemptRecorder recorder = new AttemptRecorder(database, attemptRepository, kafka.clientConfig(),
                    names.attempts(), names.prefix() + "-registrar-attempts", config.attemptsRetention(), health,
                    relay::wake);
            opened.push(recorder);
            recorder.start();

            StateRepublisher republisher = new StateRepublisher(database, outbox, apiKeys, topics, subscriptions);
            if (config.republishOnStart()) {
                republisher.republishAll();
            }

            ApiKeyDirectory directory = new ApiKeyDirectory(config.adminKey());
            ApiKeyDirectoryFeed feed = new ApiKeyDirectoryFeed(directory);
            CompactedTopicView<ApiKeyRecord> keyView = new CompactedTopicView<>(names.apiKeys(),
                    kafka.clientConfig(Map.of("client.id", "hookline-registrar-api-keys")),
                    bytes -> Json.read(bytes, ApiKeyRecord.class));
            keyView.addListener(feed).start();
            opened.push(keyView);
            if (!keyView.awaitReady(kafkaTimeout)) {
                LOG.warn("API key view of {} not loaded within {}; tenant keys may be refused until it is",
                        names.apiKeys(), kafkaTimeout);
            }

            RouteTable router = new RouteTable();
            new ApiKeyRoutes(directory, feed, database, apiKeys, outbox).register(router);
            new TopicRoutes(directory, database, topics, subscriptions, outbox, provisioner, admin, names,
                    kafkaTimeout).register(router);
            new SubscriptionRoutes(directory, database, subscriptions, topics, outbox, config.destinationPolicy(),
                    config.secretCipher(), new TestEventPublisher(producer, names, kafkaTimeout)).register(router);
            new AttemptRoutes(directory, database, subscriptions, attemptRepository, config.attemptsRetention())
                    .register(router);
            new AdminRoutes(directory, republisher).register(router);
            new OpenApiRoute().register(router);

            HttpServer server = HttpServer.start(
                    HttpServer.Settings.defaults("hookline-registrar", config.httpPort()).withHost(config.httpHost()),
                    router.router(),
                    List.of(ReadinessCheck.of("database", database::isReachable),
                            ReadinessCheck.of("api-keys", keyView::isReady)),
                    meters);
            opened.push(server);
            LOG.info("registrar ready on port {} (topic prefix {}, allowed networks {})", server.port(),
                    names.prefix(), config.allowedNetworks().isEmpty() ? "none" : config.allowedNetworks());
            return new RegistrarService(opened, server, database, relay, recorder, router.endpoints());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(opened);
            throw new IllegalStateException("interrupted while starting the registrar", e);
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    /** The port the API listens on (the real one when configured with 0). */
    public int httpPort() {
        return server.port();
    }

    ServiceDatabase database() {
        return database;
    }

    OutboxRelay outboxRelay() {
        return relay;
    }

    AttemptRecorder attemptRecorder() {
        return recorder;
    }

    /** The API's routes as {@code METHOD /template} (without /healthz, /readyz, /metrics). */
    List<String> endpoints() {
        return endpoints;
    }

    /** Stops accepting requests, drains in-flight ones, then stops the view, relay, producer, pool and admin. */
    @Override
    public void close() {
        closeAll(resources);
        LOG.info("registrar stopped");
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", resource, e.toString());
            }
        }
    }
}
