package io.hookline.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory, always-current copy of a compacted topic (keys to latest values, tombstones remove). Every
 * instance reads the whole topic without a consumer group, so services answer lookups (API keys, topics,
 * subscriptions) without a database call on their hot path. {@link #awaitReady} returns once everything that
 * was on the topic at start-up has been applied, so nothing is served from a half-loaded view.
 */
public final class CompactedTopicView<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicView.class);

    /** Observes changes in topic order; called on the view's thread, so it must be quick. */
    public interface Listener<V> {
        void onChange(String key, V previous, V current);
    }

    private final String topic;
    private final Function<byte[], V> decoder;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final List<Listener<V>> listeners = new ArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long lastApplied = System.currentTimeMillis();
    private volatile Throwable failure;

    public CompactedTopicView(String topic, Map<String, Object> clientConfig, Function<byte[], V> decoder) {
        this.topic = topic;
        this.decoder = decoder;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "hookline-view-" + topic);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "view-" + topic);
        this.thread.setDaemon(true);
    }

    /** Listeners must be added before {@link #start()}; they see every record from the beginning. */
    public CompactedTopicView<V> addListener(Listener<V> listener) {
        listeners.add(listener);
        return this;
    }

    public CompactedTopicView<V> start() {
        thread.start();
        return this;
    }

    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isReady() {
        return ready.getCount() == 0 && failure == null;
    }

    public Optional<V> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Collection<V> values() {
        return values.values();
    }

    public int size() {
        return values.size();
    }

    /** Milliseconds since the view last applied a record or confirmed it was caught up. */
    public long millisSinceLastProgress() {
        return System.currentTimeMillis() - lastApplied;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
            checkReady(endAtStart);
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    apply(record);
                }
                lastApplied = System.currentTimeMillis();
                if (ready.getCount() > 0) {
                    checkReady(endAtStart);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("view of {} stopped: {}", topic, e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (running.get()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
                return partitions;
            }
            LOG.info("waiting for topic {} to exist", topic);
        }
        throw new WakeupException();
    }

    private void checkReady(Map<TopicPartition, Long> endAtStart) {
        for (Map.Entry<TopicPartition, Long> e : endAtStart.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        if (ready.getCount() > 0) {
            LOG.info("view of {} is ready with {} entries", topic, values.size());
            ready.countDown();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        V current;
        if (record.value() == null) {
            current = null;
        } else {
            try {
                current = decoder.apply(record.value());
            } catch (RuntimeException e) {
                // One undecodable record must not stop every later update from being applied.
                LOG.warn("skipping undecodable record on {} key={} offset={}: {}", topic, record.key(), record.offset(),
                        e.toString());
                return;
            }
        }
        V previous = current == null ? values.remove(record.key()) : values.put(record.key(), current);
        for (Listener<V> listener : listeners) {
            listener.onChange(record.key(), previous, current);
        }
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
