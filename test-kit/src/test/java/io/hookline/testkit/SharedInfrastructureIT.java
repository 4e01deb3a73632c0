package io.hookline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs two sample test classes through the JUnit launcher, as a build would, and checks what they saw: the same
 * Kafka cluster and PostgreSQL server as this class, but their own topic prefix and database, both cleaned up.
 */
@WithKafka
@WithPostgres
class SharedInfrastructureIT {
    private static final Map<Class<?>, Seen> SEEN = new ConcurrentHashMap<>();

    record Seen(String bootstrapServers, String topicPrefix, String databaseName, String jdbcUrl) {
    }

    @Test
    void testClassesShareTheServersButNotTheirTopicsOrDatabases(TestKafka kafka, TestDatabase database)
            throws Exception {
        TestExecutionSummary summary = run(SampleOne.class, SampleTwo.class);

        assertThat(summary.getFailures()).as("sample failures").isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        Seen one = SEEN.get(SampleOne.class);
        Seen two = SEEN.get(SampleTwo.class);
        assertThat(one.bootstrapServers()).isEqualTo(two.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
        assertThat(one.topicPrefix()).isNotEqualTo(two.topicPrefix()).isNotEqualTo(kafka.topicPrefix());
        assertThat(one.databaseName()).isNotEqualTo(two.databaseName()).isNotEqualTo(database.name());
        assertThat(serverOf(one.jdbcUrl())).isEqualTo(serverOf(two.jdbcUrl())).isEqualTo(serverOf(database.jdbcUrl()));

        try (Admin admin = kafka.newAdmin()) {
            // Deletion is committed when afterAll returns; the broker's metadata view may trail by a moment.
            await("sample topics deleted").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(admin.listTopics().names().get()).noneMatch(
                            topic -> topic.startsWith(one.topicPrefix()) || topic.startsWith(two.topicPrefix())));
        }
        try (Connection connection = database.connect();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_database WHERE datname IN ('"
                     + one.databaseName() + "', '" + two.databaseName() + "')")) {
            rows.next();
            assertThat(rows.getInt(1)).as("sample databases left after their classes").isZero();
        }
    }

    private static TestExecutionSummary run(Class<?>... classes) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (Class<?> c : classes) {
            request.selectors(selectClass(c));
        }
        LauncherDiscoveryRequest discovery = request.build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(discovery, listener);
        return listener.getSummary();
    }

    private static String serverOf(String jdbcUrl) {
        return jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/'));
    }

    /** Writes and reads a topic under its prefix, and a table in its database. */
    abstract static class Sample {
        @Test
        void usesItsKafkaAndDatabase(TestKafka kafka, TestDatabase database) throws Exception {
            String topic = kafka.name("events.sample");
            kafka.createTopic(topic, 1);
            kafka.send(topic, "key", getClass().getSimpleName());
            assertThat(kafka.readAll(topic, 1, Duration.ofSeconds(30)))
                    .extracting(ConsumerRecord::value).containsExactly(getClass().getSimpleName());
            try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE sample (name text)");
                statement.execute("INSERT INTO sample VALUES ('" + getClass().getSimpleName() + "')");
            }
            SEEN.put(getClass(), new Seen(kafka.bootstrapServers(), kafka.topicPrefix(), database.name(),
                    database.jdbcUrl()));
        }
    }

    @WithKafka
    @WithPostgres
    static class SampleOne extends Sample {
    }

    @WithKafka
    @WithPostgres
    static class SampleTwo extends Sample {
    }
}
