package io.hookline.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The one Kafka cluster and the one PostgreSQL server of this test JVM: started on first use, shared by every test
 * class (which isolate themselves by topic prefix and database), stopped by a JVM shutdown hook. A JVM-wide
 * singleton rather than JUnit's root store, because one JVM may run several JUnit launches (IDE re-runs, a test
 * that launches sample classes) and they should all share the servers.
 */
final class SharedInfrastructure {
    private static final Logger LOG = LoggerFactory.getLogger(SharedInfrastructure.class);

    private static final SharedResource<KafkaBackend> KAFKA = new SharedResource<>("Kafka cluster",
            () -> BackendStarter.start("Kafka cluster", BackendChoice.configured(),
                    SharedInfrastructure::dockerAvailable, ContainerKafkaBackend::start, EmbeddedKafkaBackend::start));
    private static final SharedResource<PostgresBackend> POSTGRES = new SharedResource<>("PostgreSQL server",
            () -> BackendStarter.start("PostgreSQL server", BackendChoice.configured(),
                    SharedInfrastructure::dockerAvailable, ContainerPostgresBackend::start,
                    EmbeddedPostgresBackend::start));

    private static Boolean docker;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SharedInfrastructure::stopAll, "hookline-test-kit-shutdown"));
    }

    private SharedInfrastructure() {
    }

    static KafkaBackend kafka() {
        KafkaBackend backend = KAFKA.get();
        LOG.debug("Using {}", backend);
        return backend;
    }

    static PostgresBackend postgres() {
        PostgresBackend backend = POSTGRES.get();
        LOG.debug("Using {}", backend);
        return backend;
    }

    private static synchronized boolean dockerAvailable() {
        if (docker == null) {
            try {
                docker = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("Docker detection failed", e);
                docker = false;
            }
            LOG.info("Docker engine {}", docker ? "available: using Testcontainers" : "not available");
        }
        return docker;
    }

    private static void stopAll() {
        for (SharedResource<?> resource : new SharedResource<?>[] {KAFKA, POSTGRES}) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Could not stop a shared test server", e);
            }
        }
    }
}
