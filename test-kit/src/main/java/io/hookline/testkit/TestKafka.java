package io.hookline.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The shared Kafka cluster as one test class sees it. Every test class gets its own {@link #topicPrefix()}; use it
 * as Hookline's topic prefix (and so for group and application ids derived from it) and classes never see each
 * other's topics. Topics starting with the prefix are deleted after the class.
 */
public final class TestKafka {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(2);

    private final String bootstrapServers;
    private final String topicPrefix;

    TestKafka(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code t} and 8 random characters, unique to the test class; a valid Hookline topic prefix. */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** {@code <prefix>.<name>}: a topic, group id or transactional id private to this test class. */
    public String name(String name) {
        return topicPrefix + "." + name;
    }

    /** A new Admin client; the caller closes it. */
    public Admin newAdmin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, topicPrefix + "-admin"));
    }

    /** String keys and values, {@code acks=all}, idempotent: the settings Hookline's own producers use. */
    public Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    /**
     * String keys and values, reading from the earliest offset, {@code read_committed}, no auto-commit. The group id
     * is taken as given: pass {@link #name(String)} to keep it private to the class.
     */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = readerProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return props;
    }

    /** Creates a topic with one replica and waits until it exists. */
    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = newAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }

    /** Writes one record and waits for the broker's acknowledgement. */
    public RecordMetadata send(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(ADMIN_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot write to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing to " + topic, e);
        }
    }

    /**
     * Reads {@code topic} from the beginning of every partition, without a consumer group, until at least
     * {@code expectedCount} committed records arrived; waits for the topic to exist first. Returns everything read
     * (possibly more than expected, ordered per partition).
     *
     * @throws AssertionError if fewer records arrive within {@code timeout}, listing what did arrive
     */
    public List<ConsumerRecord<String, String>> readAll(String topic, int expectedCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(readerProps())) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("records on " + topic)
                    .atMost(remaining(deadline))
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                        return records.size() >= expectedCount;
                    });
            return List.copyOf(records);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Expected at least " + expectedCount + " records on " + topic + " within "
                    + timeout + " but read " + records.size() + ": " + summary(records), e);
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, String> consumer, String topic,
            Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        try {
            await("topic " + topic + " to exist")
                    .atMost(timeout)
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(() -> {
                        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
                        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                        return !infos.isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Topic " + topic + " did not exist within " + timeout, e);
        }
        return partitions;
    }

    private Map<String, Object> readerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Hookline writes transactionally (exactly-once fan-out); tests must not count aborted records.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /** Deletes every topic of this class; the shared broker would otherwise accumulate them for the whole run. */
    void deleteTopics() {
        try (Admin admin = newAdmin()) {
            List<String> own = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .stream().filter(name -> name.startsWith(topicPrefix)).toList();
            if (!own.isEmpty()) {
                admin.deleteTopics(own).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot delete the topics of prefix " + topicPrefix, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime()));
    }

    private static String summary(List<ConsumerRecord<String, String>> records) {
        return records.stream().limit(20)
                .map(r -> r.partition() + "@" + r.offset() + " " + r.key() + "=" + r.value())
                .collect(Collectors.joining(", ", "[", records.size() > 20 ? ", ...]" : "]"));
    }

    @Override
    public String toString() {
        return "TestKafka[" + bootstrapServers + ", prefix " + topicPrefix + "]";
    }
}
