package io.hookline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    /** One broker for the tests that do not restart it; THROW keeps a fatal broker error from ending the fork. */
    private static EmbeddedKafkaBroker shared;

    @BeforeAll
    static void startSharedBroker() {
        shared = EmbeddedKafkaBroker.builder()
                .dataDirectory(temp.resolve("shared"))
                .fatalErrorPolicy(FatalErrorPolicy.THROW_IN_BROKER_THREAD)
                .build()
                .start();
    }

    @AfterAll
    static void stopSharedBroker() {
        shared.close();
    }

    @Test
    void producedRecordsCanBeConsumed() throws Exception {
        createTopic(shared, "round-trip", 3);
        produce(shared, "round-trip", 10);

        List<ConsumerRecord<String, String>> records = readAll(shared, "round-trip", 10, "read_uncommitted");

        assertThat(records).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(values(10));
        assertThat(shared.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void topicsAreNeverCreatedImplicitly() throws Exception {
        Map<String, Object> config = producerConfig(shared);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("never-created", "k", "v")).get())
                    .hasMessageContaining("not present in metadata");
        }
        try (Admin admin = admin(shared)) {
            assertThat(admin.listTopics().names().get()).doesNotContain("never-created");
        }
    }

    @Test
    void transactionalProducerCommitsAndAborts() throws Exception {
        createTopic(shared, "transactions", 1);
        Map<String, Object> config = producerConfig(shared);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-it-tx");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "k", "committed-1"));
            producer.send(new ProducerRecord<>("transactions", "k", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "k", "committed-3"));
            producer.commitTransaction();
        }

        List<ConsumerRecord<String, String>> records = readAll(shared, "transactions", 3, "read_committed");

        assertThat(records).extracting(ConsumerRecord::value)
                .containsExactly("committed-1", "committed-2", "committed-3");
    }

    @Test
    void fatalErrorsThrowInsteadOfEndingTheJvm() {
        assertThatThrownBy(() -> Exit.halt(1, "simulated fatal fault"))
                .isInstanceOf(EmbeddedKafkaException.class)
                .hasMessageContaining("simulated fatal fault");
    }

    @Test
    void restartOnTheSameDirectoryKeepsTopicsAndRecords() throws Exception {
        Path data = temp.resolve("restart");
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDirectory(data).build().start()) {
            clusterId = first.clusterId();
            createTopic(first, "durable", 2);
            produce(first, "durable", 25);
        }
        assertThat(data.resolve("meta.properties")).exists();

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDirectory(data).build().start()) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            try (Admin admin = admin(second)) {
                assertThat(admin.listTopics().names().get()).contains("durable");
            }
            assertThat(readAll(second, "durable", 25, "read_uncommitted")).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values(25));
        }
    }

    @Test
    void restartAfterTheOwningJvmWasKilledKeepsRecords() throws Exception {
        Path data = temp.resolve("killed");
        Path ready = temp.resolve("kafka-ready");
        try (ChildJvm owner = ChildJvm.start(KafkaOwnerMain.class, temp.resolve("kafka-owner.log"),
                data.toString(), ready.toString())) {
            await("child JVM broker ready").atMost(Duration.ofMinutes(2))
                    .failFast("child JVM exited:\n" + owner.output(), () -> !owner.isAlive())
                    .until(() -> Files.exists(ready));
            owner.kill();
        }

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(data).build().start()) {
            assertThat(readAll(broker, KafkaOwnerMain.TOPIC, KafkaOwnerMain.RECORDS, "read_uncommitted"))
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(values(KafkaOwnerMain.RECORDS));
        }
    }

    @Test
    void aSecondBrokerRunsBesideTheFirstInOneJvm() throws Exception {
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDirectory(temp.resolve("second"))
                .build().start()) {
            assertThat(second.bootstrapServers()).isNotEqualTo(shared.bootstrapServers());
            createTopic(second, "beside", 1);
            produce(second, "beside", 3);
            assertThat(readAll(second, "beside", 3, "read_uncommitted")).hasSize(3);
        }
        try (Admin admin = admin(shared)) {
            assertThat(admin.listTopics().names().get()).doesNotContain("beside");
        }
        assertThatThrownBy(() -> Exit.halt(1, "still intercepted"))
                .as("closing the second broker keeps the first one's interception")
                .isInstanceOf(EmbeddedKafkaException.class);
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                    .dataDirectory(temp.resolve("port-taken"))
                    .brokerPort(taken.getLocalPort())
                    .build();

            assertThatThrownBy(broker::start)
                    .isInstanceOf(EmbeddedKafkaException.class)
                    .hasMessageContaining(temp.resolve("port-taken").toString());
            broker.close();
        }
    }

    private static List<String> values(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("v" + i);
        }
        return values;
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    private static void createTopic(EmbeddedKafkaBroker broker, String topic, int partitions)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin(broker)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    private static Map<String, Object> producerConfig(EmbeddedKafkaBroker broker) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(broker))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafkaBroker broker, String topic, int count,
            String isolationLevel) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("records on " + topic).atMost(TIMEOUT).pollInSameThread().pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.size() >= count;
                    });
        }
        return records;
    }
}
