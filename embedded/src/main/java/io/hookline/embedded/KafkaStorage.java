package io.hookline.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The KRaft storage of a single-node cluster: formatted once, then reused on every start. */
final class KafkaStorage {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaStorage.class);
    private static final String META_PROPERTIES = "meta.properties";

    private KafkaStorage() {
    }

    /**
     * Formats {@code directory} as the log and metadata directory of node {@code nodeId} unless it already holds a
     * {@code meta.properties}; returns the cluster id either way. Formatting writes {@code meta.properties} last,
     * so a directory whose format was interrupted is simply formatted again.
     */
    static String formatIfNeeded(Path directory, int nodeId, String controllerListenerName) {
        Path meta = directory.resolve(META_PROPERTIES);
        if (Files.exists(meta)) {
            return clusterIdOf(meta);
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            Files.createDirectories(directory);
            warnIfNotEmpty(directory);
            new Formatter()
                    .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .addDirectory(directory.toString())
                    .setMetadataLogDirectory(directory.toString())
                    .setControllerListenerName(controllerListenerName)
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("Could not format Kafka storage in " + directory + ": " + e.getMessage()
                    + " " + output.toString(StandardCharsets.UTF_8).trim(), e);
        }
        LOG.info("Formatted Kafka storage in {} for new cluster {}", directory, clusterId);
        LOG.debug("Kafka storage formatter output: {}", output.toString(StandardCharsets.UTF_8).trim());
        return clusterId;
    }

    private static String clusterIdOf(Path meta) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("Could not read " + meta, e);
        }
        String clusterId = properties.getProperty("cluster.id");
        if (clusterId == null) {
            throw new EmbeddedKafkaException(meta + " has no cluster.id; the Kafka storage is damaged");
        }
        return clusterId;
    }

    private static void warnIfNotEmpty(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent()) {
                LOG.warn("{} has no {} but is not empty; formatting it as a new cluster", directory, META_PROPERTIES);
            }
        }
    }
}
