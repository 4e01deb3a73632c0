package io.hookline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@WithKafka
class KafkaExtensionIT {
    static TestKafka fromBeforeAll;

    TestKafka kafka;

    @BeforeAll
    static void remember(TestKafka kafka) {
        fromBeforeAll = kafka;
    }

    @Test
    void fieldsAndParametersGetTheSameClassScopedInstance(TestKafka parameter) {
        assertThat(kafka).isSameAs(parameter).isSameAs(fromBeforeAll);
        assertThat(kafka.topicPrefix()).matches("t[a-z0-9]{8}");
        assertThat(kafka.name("events.orders")).isEqualTo(kafka.topicPrefix() + ".events.orders");
        assertThat(kafka.bootstrapServers()).isNotBlank();
    }

    @Test
    void readAllReturnsWhatWasWritten() throws Exception {
        String topic = kafka.name("round-trip");
        kafka.createTopic(topic, 3);
        for (int i = 0; i < 9; i++) {
            kafka.send(topic, "k" + i, "v" + i);
        }

        assertThat(kafka.readAll(topic, 9, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8");
        try (Admin admin = kafka.newAdmin()) {
            assertThat(admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions())
                    .hasSize(3);
        }
    }

    @Test
    void readAllSkipsAbortedTransactions() {
        String topic = kafka.name("transactions");
        kafka.createTopic(topic, 1);
        Map<String, Object> props = kafka.producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.name("tx"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
        }

        assertThat(kafka.readAll(topic, 1, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value).containsExactly("committed");
    }

    @Test
    void readAllFailsWithWhatItRead() {
        String topic = kafka.name("short");
        kafka.createTopic(topic, 1);
        kafka.send(topic, "k", "lonely");

        assertThatThrownBy(() -> kafka.readAll(topic, 2, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("read 1")
                .hasMessageContaining("k=lonely");
    }

    @Nested
    class NestedTests {
        @Test
        void shareTheEnclosingClassPrefix(TestKafka nested) {
            assertThat(nested).isSameAs(fromBeforeAll);
        }
    }
}
