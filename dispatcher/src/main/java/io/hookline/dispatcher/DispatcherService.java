package io.hookline.dispatcher;

import io.hookline.common.event.OpsTopic;
import io.hookline.common.http.HttpServer;
import io.hookline.common.http.ReadinessCheck;
import io.hookline.common.http.Router;
import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.kafka.KafkaReachability;
import io.hookline.common.kafka.KafkaUnavailableException;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.service.Metrics;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.delivery.DeliveryStage;
import io.hookline.dispatcher.fanout.FanOutStage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher: the subscription index (from {@code hookline.subscriptions}), the fan-out stage (events →
 * delivery tasks, exactly once) and the delivery stage (tasks → signed HTTP requests), plus {@code /healthz},
 * {@code /readyz} and {@code /metrics}. Either stage can be switched off to scale them apart.
 *
 * <p>Start-up order matters: the index is fully loaded before either stage starts, so no event is fanned out
 * against a half-loaded index and no task is skipped as "subscription deleted" because it was not read yet.
 */
public final class DispatcherService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherService.class);
    private static final String SERVICE = "hookline-dispatcher";

    private final List<AutoCloseable> resources; // in start order; closed in reverse
    private final SubscriptionIndex index;
    private final FanOutStage fanOut;
    private final DeliveryStage delivery;
    private final HttpServer http;
    private final PrometheusMeterRegistry registry;

    private DispatcherService(List<AutoCloseable> resources, SubscriptionIndex index, FanOutStage fanOut,
                              DeliveryStage delivery, HttpServer http, PrometheusMeterRegistry registry) {
        this.resources = resources;
        this.index = index;
        this.fanOut = fanOut;
        this.delivery = delivery;
        this.http = http;
        this.registry = registry;
    }

    public static DispatcherService start(DispatcherConfig config) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            return start(config, started);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(started);
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    private static DispatcherService start(DispatcherConfig config, List<AutoCloseable> started)
            throws InterruptedException {
        TopicNames names = config.kafka().topicNames();
        PrometheusMeterRegistry registry = Metrics.newRegistry(SERVICE);
        try (Admin admin = Admin.create(config.kafka().clientConfig())) {
            Duration reach = config.startupTimeout().compareTo(Duration.ofSeconds(15)) < 0
                    ? config.startupTimeout() : Duration.ofSeconds(15);
            KafkaReachability.require(admin, config.kafka().bootstrapServers(), reach);
            TopicProvisioner provisioner = new TopicProvisioner(admin, names);
            provisioner.ensureSystemTopics(config.deliveryPartitions(), Duration.ofSeconds(30));
            if (config.runs(DispatcherConfig.Stage.DELIVERY)) {
                List<NewTopic> topics = new ArrayList<>(retryTopics(config));
                // Where the delivery stage reports exhausted and recovered deliveries (the registrar makes it a
                // Hookline topic of tenant default; creating the Kafka topic here too spares a start-up order).
                topics.add(provisioner.eventsTopic(OpsTopic.NAME, OpsTopic.PARTITIONS));
                provisioner.ensure(topics, Duration.ofSeconds(30));
            }
        }

        SubscriptionIndex index = new SubscriptionIndex();
        CompactedTopicView<SubscriptionRecord> view = new CompactedTopicView<>(names.subscriptions(),
                config.kafka().clientConfig(), SubscriptionRecords::decode);
        view.addListener(index);
        started.add(view);
        view.start();
        if (!view.awaitReady(config.startupTimeout())) {
            throw new KafkaUnavailableException("the subscription index did not load from " + names.subscriptions()
                    + " within " + config.startupTimeout().toSeconds() + "s", null);
        }
        LOG.info("subscription index ready: {} subscriptions, {} active", index.size(), index.activeCount());
        Gauge.builder("hookline.subscription.index.size", index, SubscriptionIndex::size)
                .description("Subscriptions known to the index").tag("status", "all").register(registry);
        Gauge.builder("hookline.subscription.index.size", index, SubscriptionIndex::activeCount)
                .description("Subscriptions known to the index").tag("status", "active").register(registry);
        Gauge.builder("hookline.subscription.index.lag", view, v -> v.millisSinceLastProgress() / 1000.0)
                .description("Seconds since the index last applied or confirmed an update").baseUnit("seconds")
                .register(registry);

        DeliveryStage delivery = null;
        if (config.runs(DispatcherConfig.Stage.DELIVERY)) {
            delivery = DeliveryStage.start(config, index, registry);
            started.add(delivery);
        }
        FanOutStage fanOut = null;
        if (config.runs(DispatcherConfig.Stage.FANOUT)) {
            fanOut = FanOutStage.start(config, index, registry);
            started.add(fanOut);
        }

        List<ReadinessCheck> readiness = new ArrayList<>();
        readiness.add(ReadinessCheck.of("subscription-index", view::isReady));
        if (fanOut != null) {
            readiness.add(ReadinessCheck.of("fan-out", fanOut::isHealthy));
        }
        if (delivery != null) {
            readiness.add(ReadinessCheck.of("delivery", delivery::isHealthy));
        }
        HttpServer http = HttpServer.start(
                HttpServer.Settings.defaults(SERVICE, config.httpPort()).withHost(config.httpHost()),
                new Router(), readiness, registry);
        started.add(http);
        LOG.info("{} running stages {} (metrics on port {})", SERVICE, config.stages(), http.port());
        return new DispatcherService(List.copyOf(started), index, fanOut, delivery, http, registry);
    }

    /**
     * The retry path's topics: one per delay tier, partitioned like {@code hookline.deliveries} (same key), kept
     * 7 days or four times the tier's delay, whichever is longer, so tasks survive a long outage of the dispatchers.
     */
    static List<NewTopic> retryTopics(DispatcherConfig config) {
        TopicNames names = config.kafka().topicNames();
        List<NewTopic> topics = new ArrayList<>();
        for (Duration tier : config.retry().tiers().delays()) {
            long retention = Math.max(Duration.ofDays(7).toMillis(), tier.toMillis() * 4);
            topics.add(new NewTopic(names.retry(tier), Optional.of(config.deliveryPartitions()), Optional.empty())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention))));
        }
        return topics;
    }

    public int httpPort() {
        return http.port();
    }

    /** The subscription index this instance serves from. */
    public SubscriptionIndex index() {
        return index;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** True when every stage this instance runs is alive (what {@code /readyz} reports, without the index). */
    public boolean isRunning() {
        return (fanOut == null || fanOut.isHealthy()) && (delivery == null || delivery.isHealthy());
    }

    @Override
    public void close() {
        closeAll(resources);
        LOG.info("{} stopped", SERVICE);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }
}
