package io.hookline.registrar.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.http.RequestFields;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.Problem;
import io.hookline.common.http.ProblemException;
import io.hookline.common.kafka.KafkaUnavailableException;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.common.subscription.TopicRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.registrar.store.OutboxRepository;
import io.hookline.registrar.store.SubscriptionRepository;
import io.hookline.registrar.store.TopicRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/topics}: a Hookline topic is a row here, a Kafka topic {@code <prefix>.events.<name>} and a
 * {@link TopicRecord} on the compacted topic registry (which the gateway reads for ownership and schema).
 */
public final class TopicRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(TopicRoutes.class);
    static final Set<String> CREATE_FIELDS = Set.of("name", "partitions", "description", "schema", "tenant");
    static final Set<String> PATCH_FIELDS = Set.of("description", "schema");
    public static final int MAX_PARTITIONS = 1000;
    public static final int MAX_DESCRIPTION = 1024;
    /** Kafka's limit on topic names. */
    private static final int MAX_KAFKA_NAME = 249;

    private final ApiKeyDirectory auth;
    private final ServiceDatabase database;
    private final TopicRepository topics;
    private final SubscriptionRepository subscriptions;
    private final OutboxRepository outbox;
    private final TopicProvisioner provisioner;
    private final Admin admin;
    private final TopicNames names;
    private final Duration kafkaTimeout;

    public TopicRoutes(ApiKeyDirectory auth, ServiceDatabase database, TopicRepository topics,
                       SubscriptionRepository subscriptions, OutboxRepository outbox, TopicProvisioner provisioner,
                       Admin admin, TopicNames names, Duration kafkaTimeout) {
        this.auth = auth;
        this.database = database;
        this.topics = topics;
        this.subscriptions = subscriptions;
        this.outbox = outbox;
        this.provisioner = provisioner;
        this.admin = admin;
        this.names = names;
        this.kafkaTimeout = kafkaTimeout;
    }

    public void register(RouteTable router) {
        router.post("/v1/topics", this::create);
        router.get("/v1/topics", this::list);
        router.get("/v1/topics/{name}", this::get);
        router.patch("/v1/topics/{name}", this::patch);
        router.delete("/v1/topics/{name}", this::delete);
    }

    HttpResponse create(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        RequestFields body = RequestFields.of(request.jsonBody(), CREATE_FIELDS);
        String tenant = TenantAccess.forCreate(principal, body.string("tenant", 63));
        String name = body.string("name", 200);
        if (name == null) {
            throw RequestFields.invalid("name", "is required");
        }
        checkName(name);
        Integer requestedPartitions = body.integer("partitions", 1, MAX_PARTITIONS);
        int partitions = requestedPartitions != null ? requestedPartitions : TopicProvisioner.DEFAULT_EVENT_PARTITIONS;
        String description = body.string("description", MAX_DESCRIPTION);
        JsonNode schema = body.object("schema");
        if (schema != null) {
            TopicSchemas.check(schema, "schema");
        }
        database.read(h -> topics.collidingName(h, name)).ifPresent(existing -> {
            throw nameTaken(name, existing);
        });
        // The Kafka topic exists before the record announcing it, so the gateway never accepts an event for a
        // topic it cannot write to. A crash in between leaves an unused Kafka topic that a retry adopts.
        int actualPartitions = ensureKafkaTopic(name, partitions);
        TopicRecord record = new TopicRecord(name, tenant, actualPartitions, description, schema,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        boolean inserted = database.write(h -> {
            if (!topics.insert(h, record)) {
                return false;
            }
            outbox.topicChanged(h, record);
            return true;
        });
        if (!inserted) {
            String existing = database.read(h -> topics.collidingName(h, name)).orElse(name);
            throw nameTaken(name, existing);
        }
        LOG.info("topic {} created for tenant {} ({} partitions, schema: {})", name, tenant, actualPartitions,
                schema != null);
        return HttpResponse.json(201, ApiViews.topic(record, names.events(name)))
                .withHeader("location", "/v1/topics/" + name);
    }

    HttpResponse list(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String tenant = TenantAccess.forList(principal, request.query("tenant"));
        ListCursor.PageRequest page = ListCursor.read(request);
        List<TopicRecord> rows = database.read(h -> topics.list(h, tenant, page.after(), page.limit() + 1));
        return HttpResponse.json(200, ListCursor.page(rows, page.limit(), TopicRecord::name,
                t -> ApiViews.topic(t, names.events(t.name()))));
    }

    HttpResponse get(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String name = topicName(request);
        TopicRecord topic = TenantAccess.visible(principal, database.read(h -> topics.find(h, name)),
                TopicRecord::tenant, notFound(name));
        return HttpResponse.json(200, ApiViews.topic(topic, names.events(name)));
    }

    /** Changes the description and/or the JSON Schema ({@code null} removes it); partitions are fixed. */
    HttpResponse patch(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String name = topicName(request);
        RequestFields body = RequestFields.of(request.jsonBody(), PATCH_FIELDS);
        String description = body.string("description", MAX_DESCRIPTION);
        JsonNode schema = body.object("schema");
        if (schema != null) {
            TopicSchemas.check(schema, "schema");
        }
        TopicRecord updated = database.write(h -> {
            TopicRecord current = TenantAccess.visible(principal, topics.lock(h, name), TopicRecord::tenant,
                    notFound(name));
            TopicRecord next = new TopicRecord(name, current.tenant(), current.partitions(),
                    body.has("description") ? description : current.description(),
                    body.has("schema") ? schema : current.schema(), current.createdAt());
            if (next.equals(current)) {
                return current;
            }
            topics.update(h, next, Instant.now());
            outbox.topicChanged(h, next);
            return next;
        });
        LOG.info("topic {} updated (schema: {})", name, updated.schema() != null);
        return HttpResponse.json(200, ApiViews.topic(updated, names.events(name)));
    }

    /**
     * Deletes the topic: refused with 409 while subscriptions of its tenant name it explicitly (wildcards do not
     * count), unless {@code ?force=true}, which leaves those subscriptions' patterns as they are (they match
     * again if the topic is re-created). The Kafka topic and its events are deleted after the commit.
     */
    HttpResponse delete(HttpRequest request) {
        Principal principal = auth.require(request, Scope.MANAGE);
        String name = topicName(request);
        boolean force = booleanQuery(request, "force");
        TopicRecord deleted = database.write(h -> {
            TopicRecord topic = TenantAccess.visible(principal, topics.lock(h, name), TopicRecord::tenant,
                    notFound(name));
            List<String> users = subscriptions.idsNamingTopic(h, topic.tenant(), name);
            if (!users.isEmpty() && !force) {
                throw ProblemException.conflict("topic '" + name + "' is used by " + users.size() + " subscription"
                        + (users.size() == 1 ? "" : "s") + " (" + String.join(", ", users.subList(0,
                        Math.min(5, users.size()))) + (users.size() > 5 ? ", ..." : "")
                        + "); remove it from them or delete with ?force=true");
            }
            topics.delete(h, name);
            outbox.topicDeleted(h, name);
            return topic;
        });
        LOG.info("topic {} of tenant {} deleted{}", name, deleted.tenant(), force ? " (forced)" : "");
        deleteKafkaTopic(names.events(name));
        return HttpResponse.noContent();
    }

    private void checkName(String name) {
        if (!TopicNames.TOPIC_NAME.matcher(name).matches()) {
            throw RequestFields.invalid("name", "must be 1 to 200 lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        if (names.events(name).length() > MAX_KAFKA_NAME) {
            throw RequestFields.invalid("name", "is too long: the Kafka topic " + names.events(name).length()
                    + " characters would exceed Kafka's limit of " + MAX_KAFKA_NAME);
        }
    }

    private int ensureKafkaTopic(String name, int partitions) {
        String kafkaName = names.events(name);
        List<String> created = provisioner.ensure(List.of(provisioner.eventsTopic(name, partitions)), kafkaTimeout);
        if (created.contains(kafkaName)) {
            return partitions;
        }
        try {
            TopicDescription description = admin.describeTopics(List.of(kafkaName)).allTopicNames()
                    .get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS).get(kafkaName);
            LOG.info("Kafka topic {} already existed with {} partitions; adopting it", kafkaName,
                    description.partitions().size());
            return description.partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("cannot describe topic " + kafkaName + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while describing topic " + kafkaName, e);
        }
    }

    /** Best effort: the registry no longer has the topic, so a leftover Kafka topic is only unused storage. */
    private void deleteKafkaTopic(String kafkaName) {
        try {
            admin.deleteTopics(List.of(kafkaName)).all().get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("deleted Kafka topic {}", kafkaName);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("could not delete Kafka topic {} (left unused): {}", kafkaName, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean booleanQuery(HttpRequest request, String name) {
        String value = request.query(name);
        if (value == null || value.isEmpty() || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.badRequest(name + ": must be true or false", name);
    }

    private static ProblemException nameTaken(String name, String existing) {
        String detail = existing.equals(name) ? "a topic named '" + name + "' already exists"
                : "topic name '" + name + "' collides with existing topic '" + existing
                + "' (Kafka treats '.' and '_' in topic names alike)";
        return new ProblemException(Problem.of(409, "conflict", "Conflict", detail, "name"));
    }

    static String notFound(String name) {
        return "no topic named '" + name + "'";
    }

    /** The path's topic name; anything that cannot be one is simply not found (and never reaches SQL). */
    static String topicName(HttpRequest request) {
        String name = request.pathParam("name");
        if (!TopicNames.TOPIC_NAME.matcher(name).matches()) {
            throw ProblemException.notFound(notFound(name.length() > 64 ? name.substring(0, 64) + "..." : name));
        }
        return name;
    }
}
