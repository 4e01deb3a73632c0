package io.hookline.testkit;

import io.hookline.embedded.EmbeddedKafkaBroker;
import io.hookline.embedded.FatalErrorPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The in-JVM KRaft broker of the embedded module, on a temporary directory deleted at close. */
final class EmbeddedKafkaBackend implements KafkaBackend {
    private final EmbeddedKafkaBroker broker;
    private final Path directory;

    private EmbeddedKafkaBackend(EmbeddedKafkaBroker broker, Path directory) {
        this.broker = broker;
        this.directory = directory;
    }

    static EmbeddedKafkaBackend start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("hookline-test-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for the embedded Kafka broker", e);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(directory)
                // A fatal broker error must fail the tests that see it, not end the fork without a report.
                .fatalErrorPolicy(FatalErrorPolicy.THROW_IN_BROKER_THREAD)
                .build()
                .start();
        return new EmbeddedKafkaBackend(broker, directory);
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            TempDirectories.deleteQuietly(directory);
        }
    }

    @Override
    public String toString() {
        return "embedded Kafka broker on " + bootstrapServers();
    }
}
