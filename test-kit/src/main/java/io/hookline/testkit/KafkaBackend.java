package io.hookline.testkit;

/** A running Kafka cluster that tests share. */
interface KafkaBackend extends AutoCloseable {
    String bootstrapServers();

    @Override
    void close();
}
