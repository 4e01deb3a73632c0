package io.hookline.dispatcher.fanout;

import io.hookline.common.kafka.TopicNames;
import io.hookline.dispatcher.DispatcherConfig;
import io.hookline.dispatcher.SubscriptionIndex;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fan-out stage: a Kafka Streams application ({@code exactly_once_v2}) reading every events topic by pattern
 * and writing one delivery task per event × matching subscription to {@code hookline.deliveries}. Reading the
 * event, writing its tasks, updating the idempotency store and committing the offset are one transaction, so a
 * crash at any point neither loses nor duplicates a task (for consumers reading {@code read_committed}).
 *
 * <p>It must be started only once the {@link SubscriptionIndex} is loaded; {@code DispatcherService} waits for
 * that, so no event is ever fanned out against a half-loaded index.
 */
public final class FanOutStage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutStage.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;

    private FanOutStage(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
    }

    public static FanOutStage start(DispatcherConfig config, SubscriptionIndex index, MeterRegistry registry) {
        TopicNames names = config.kafka().topicNames();
        Topology topology = topology(names, index, new FanOutMetrics(registry), config.fanOut().dedupeWindow());
        KafkaStreams streams = new KafkaStreams(topology, properties(config));
        streams.setUncaughtExceptionHandler(e -> {
            // A thread died on something unexpected (e.g. a broker outage outlasting the client's retries):
            // a fresh thread resumes from the last committed transaction, which is exactly-once safe.
            LOG.error("fan-out stream thread failed, replacing it: {}", e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> LOG.info("fan-out stage {} -> {}", previous, next));
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        streams.start();
        LOG.info("fan-out stage started: {} -> {} (application id {})", names.eventsPattern(), names.deliveries(),
                names.fanOutApplicationId());
        return new FanOutStage(streams, metrics);
    }

    static Topology topology(TopicNames names, SubscriptionIndex index, FanOutMetrics metrics, Duration dedupeWindow) {
        Topology topology = new Topology();
        topology.addSource("events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                        names.eventsPattern())
                .addProcessor("fan-out", () -> new FanOutProcessor(index, metrics, dedupeWindow, false), "events")
                .addSink(FanOutProcessor.TO_DEDUPE, names.idempotentEvents(), Serdes.String().serializer(),
                        Serdes.ByteArray().serializer(), "fan-out")
                .addSource("idempotent-events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                        names.idempotentEvents())
                .addProcessor("dedupe-fan-out", () -> new FanOutProcessor(index, metrics, dedupeWindow, true),
                        "idempotent-events")
                // Window size = retention: an id stays findable for the whole window, then its segment is dropped.
                .addStateStore(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(FanOutProcessor.DEDUPE_STORE, dedupeWindow, dedupeWindow, false),
                        Serdes.String(), Serdes.Long()), "dedupe-fan-out")
                // One sink per processor: a shared sink would join both into one sub-topology, whose task count (and
                // so the store's changelog) would again follow the events topics' partition counts.
                .addSink(FanOutProcessor.TO_DELIVERIES, names.deliveries(), Serdes.String().serializer(),
                        Serdes.ByteArray().serializer(), "fan-out")
                .addSink(FanOutProcessor.TO_DELIVERIES_AFTER_DEDUPE, names.deliveries(), Serdes.String().serializer(),
                        Serdes.ByteArray().serializer(), "dedupe-fan-out");
        return topology;
    }

    static Properties properties(DispatcherConfig config) {
        Properties props = new Properties();
        Map<String, Object> client = config.kafka().clientConfig();
        props.putAll(client);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.kafka().topicNames().fanOutApplicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.fanOut().commitInterval().toMillis());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.fanOut().threads());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("fanout").toString());
        // The pattern subscription only sees a new events topic when the consumer refreshes its metadata.
        props.put(CommonClientConfigs.METADATA_MAX_AGE_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, config.fanOut().metadataMaxAge().toMillis()));
        props.put(StreamsConfig.CLIENT_ID_CONFIG, config.clientId("fanout"));
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Running or rebalancing: the stage is alive and will process. */
    public boolean isHealthy() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    @Override
    public void close() {
        // A clean close commits the open transaction, so a restart resumes without reprocessing. It also leaves the
        // group, which Kafka Streams does not by default: the instance started next (or the ones still running) gets
        // the partitions at once, not after this member's session timeout.
        if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)))) {
            LOG.warn("fan-out stage did not stop within 30s");
        }
        streamsMetrics.close();
        LOG.info("fan-out stage stopped");
    }
}
