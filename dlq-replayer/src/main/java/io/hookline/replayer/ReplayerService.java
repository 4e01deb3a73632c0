package io.hookline.replayer;

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
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.database.DatabaseSettings;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.api.DeadLetterRoutes;
import io.hookline.replayer.api.ReplayRoutes;
import io.hookline.replayer.index.DeadLetterIndexer;
import io.hookline.replayer.replay.DeliveryTaskWriter;
import io.hookline.replayer.replay.ReplayRunner;
import io.hookline.replayer.replay.SentLetterFinder;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.ReplayJobRepository;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dlq-replayer (DESIGN.md section 6): indexes {@code hookline.dlq} into PostgreSQL and serves the dead-letter
 * API (list, inspect, discard, replay one) and replay jobs, which write fresh delivery tasks to
 * {@code hookline.deliveries} at a controlled rate and resume after a restart. {@link #start} checks Kafka and
 * the database first (one-line errors naming the variable), migrates its schema, ensures the system topics,
 * loads the API-key and subscription views, starts the indexer and resumes running jobs, then serves HTTP.
 */
public final class ReplayerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayerService.class);

    private final Deque<AutoCloseable> resources;
    private final HttpServer http;

    private ReplayerService(Deque<AutoCloseable> resources, HttpServer http) {
        this.resources = resources;
        this.http = http;
    }

    public static ReplayerService start(ReplayerConfig config) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            KafkaSettings kafka = config.kafka();
            TopicNames names = kafka.topicNames();
            Duration kafkaTimeout = config.kafkaTimeout();
            PrometheusMeterRegistry meters = Metrics.newRegistry("dlq-replayer");

            Admin admin = KafkaReachability.openAdmin(kafka, "hookline-dlq-replayer-admin", kafkaTimeout);
            opened.push(() -> admin.close(Duration.ofSeconds(5)));

            ServiceDatabase database = ServiceDatabase.open(new DatabaseSettings(config.dbUrl(),
                    config.dbUser(), config.dbPassword(), config.dbSchema(), config.dbPoolSize(),
                    config.dbConnectTimeout()), "dlq-replayer", "db/replayer", meters);
            opened.push(database);

            new TopicProvisioner(admin, names).ensureSystemTopics(TopicProvisioner.DEFAULT_DELIVERY_PARTITIONS,
                    kafkaTimeout);

            ApiKeyDirectory directory = new ApiKeyDirectory(config.adminKey());
            CompactedTopicView<ApiKeyRecord> keyView = new CompactedTopicView<>(names.apiKeys(),
                    kafka.clientConfig(Map.of("client.id", "hookline-dlq-replayer-api-keys")),
                    bytes -> Json.read(bytes, ApiKeyRecord.class));
            keyView.addListener(directory).start();
            opened.push(keyView);
            CompactedTopicView<SubscriptionRecord> subscriptionView = new CompactedTopicView<>(names.subscriptions(),
                    kafka.clientConfig(Map.of("client.id", "hookline-dlq-replayer-subscriptions")),
                    bytes -> Json.read(bytes, SubscriptionRecord.class));
            subscriptionView.start();
            opened.push(subscriptionView);
            if (!keyView.awaitReady(kafkaTimeout) || !subscriptionView.awaitReady(kafkaTimeout)) {
                LOG.warn("API key or subscription view not loaded within {}; requests may be refused until they are",
                        kafkaTimeout);
            }

            DeadLetterRepository letters = new DeadLetterRepository();
            ReplayJobRepository jobs = new ReplayJobRepository();
            LetterGauges gauges = new LetterGauges(database, letters, jobs, meters).start();
            opened.push(gauges);

            DeadLetterIndexer indexer = new DeadLetterIndexer(database, letters, kafka.clientConfig(), names.dlq(),
                    names.prefix() + "-dlq-replayer").start();
            opened.push(indexer);

            // One transactional id per deployment: the instances sharing this database and schema take turns (the
            // replay lease), and each new leader fences the previous one.
            DeliveryTaskWriter writer = new DeliveryTaskWriter(kafka.clientConfig(), names.deliveries(),
                    names.prefix() + "-dlq-replayer-" + config.dbSchema(), kafkaTimeout);
            opened.push(writer);
            ReplayRunner runner = new ReplayRunner(database, letters, jobs, writer,
                    new SentLetterFinder(kafka.clientConfig(), names.deliveries(), kafkaTimeout),
                    subscriptionView::get, config.dbSchema(), meters);
            runner.start();
            opened.push(runner);

            Router router = new Router();
            new DeadLetterRoutes(directory, database, letters).register(router);
            new ReplayRoutes(directory, database, letters, jobs, runner, subscriptionView::get,
                    config.defaultReplayRate(), config.maxReplayRate(), kafkaTimeout.plusSeconds(5)).register(router);

            HttpServer http = HttpServer.start(
                    HttpServer.Settings.defaults("dlq-replayer", config.httpPort()).withHost(config.httpHost()),
                    router,
                    List.of(ReadinessCheck.of("database", database::isReachable),
                            ReadinessCheck.of("api-keys", keyView::isReady),
                            ReadinessCheck.of("subscriptions", subscriptionView::isReady),
                            ReadinessCheck.of("dlq-indexer", indexer::isAlive)),
                    meters);
            opened.push(http);
            LOG.info("dlq-replayer ready on port {} (topic prefix {}, schema {})", http.port(), names.prefix(),
                    config.dbSchema());
            return new ReplayerService(opened, http);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(opened);
            throw new IllegalStateException("interrupted while starting the dlq-replayer", e);
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    public int httpPort() {
        return http.port();
    }

    /** Stops HTTP, then the replay workers (a letter being written finishes), the indexer, views, pool, admin. */
    @Override
    public void close() {
        closeAll(resources);
        LOG.info("dlq-replayer stopped");
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
