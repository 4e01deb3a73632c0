package io.hookline.replayer;

import static io.hookline.replayer.DeadLetterApiIT.header;
import static io.hookline.replayer.TestReplayer.ADMIN_KEY;
import static io.hookline.replayer.TestReplayer.letter;
import static io.hookline.replayer.TestReplayer.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.PostgresExtension;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Replay jobs: exactly once per job, at the requested rate, across restarts and an interrupted write. */
@ExtendWith({KafkaExtension.class, PostgresExtension.class})
class ReplayJobIT {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplayJobIT.class);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));

    private static void awaitIndexed(TestReplayer replayer, String query, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            TestReplayer.Response r = replayer.get("/v1/dead-letters?limit=200&" + query, ADMIN_KEY);
            assertThat(r.body().get("data")).hasSize(count);
        });
    }

    private static JsonNode awaitJob(TestReplayer replayer, String id, String state) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> replayer.get("/v1/replays/" + id, ADMIN_KEY).body(),
                b -> state.equals(b.get("state").asText()));
    }

    @Test
    void aJobReplaysEachLetterOnceAndReportsLettersOfDeletedOrDisabledSubscriptions(TestKafka kafka,
            TestDatabase db) throws Exception {
        try (TestReplayer replayer = TestReplayer.start(TestReplayer.env(kafka, db))) {
            TestReplayer.subscription(kafka, "sub_rate", "default", "active");
            TestReplayer.subscription(kafka, "sub_deleted", "default", "active");
            TestReplayer.deleteSubscription(kafka, "sub_deleted");
            TestReplayer.subscription(kafka, "sub_disabled", "default", "disabled");
            for (int i = 0; i < 20; i++) {
                produce(kafka, letter(String.format("dl_rate_%02d", i), "default", "sub_rate", "orders.rate",
                        DeadLetter.EXHAUSTED, 500, T0.plusSeconds(i)));
            }
            produce(kafka, letter("dl_rate_deleted", "default", "sub_deleted", "orders.rate", DeadLetter.EXHAUSTED,
                    500, T0));
            produce(kafka, letter("dl_rate_disabled", "default", "sub_disabled", "orders.rate", DeadLetter.GONE,
                    410, T0));
            awaitIndexed(replayer, "topic=orders.rate", 22);

            TestReplayer.Response created = replayer.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("topic", "orders.rate"), "ratePerSecond", 10));
            assertThat(created.status()).as(created.toString()).isEqualTo(202);
            assertThat(created.body().get("total").asInt()).isEqualTo(22);
            String jobId = created.text("id");

            JsonNode job = awaitJob(replayer, jobId, "completed");
            assertThat(job.get("replayed").asInt()).isEqualTo(20);
            assertThat(job.get("failed").asInt()).isEqualTo(2);
            assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
            assertThat(job.get("failures").get(0).get("letter").asText()).isEqualTo("dl_rate_deleted");
            assertThat(job.get("failures").get(0).get("reason").asText()).contains("sub_deleted no longer exists");
            assertThat(job.get("failures").get(1).get("letter").asText()).isEqualTo("dl_rate_disabled");
            assertThat(job.get("failures").get(1).get("reason").asText()).contains("sub_disabled is disabled");

            Map<String, List<ConsumerRecord<String, String>>> tasks = TestReplayer.replaysOf(kafka, jobId, 20);
            assertThat(tasks).hasSize(20).doesNotContainKeys("dl_rate_deleted", "dl_rate_disabled");
            assertThat(tasks.values()).allSatisfy(l -> assertThat(l).hasSize(1));
            DeliveryTask task = Json.read(tasks.get("dl_rate_07").get(0).value().getBytes(StandardCharsets.UTF_8),
                    DeliveryTask.class);
            assertThat(task.attempt()).isEqualTo(1);
            assertThat(task.event().id()).isEqualTo("evt_dl_rate_07");

            // 20 writes at 10/s are spread over at least 19 intervals of 100 ms (-10 %); loosely bounded above.
            List<Long> times = tasks.values().stream().map(l -> l.get(0).timestamp()).sorted().toList();
            long spanMs = times.get(times.size() - 1) - times.get(0);
            assertThat(spanMs).isGreaterThanOrEqualTo(1710).isLessThan(15_000);

            assertThat(replayer.get("/v1/dead-letters/dl_rate_07", ADMIN_KEY).text("state")).isEqualTo("replayed");
            assertThat(replayer.get("/v1/dead-letters/dl_rate_deleted", ADMIN_KEY).text("state")).isEqualTo("dead");
            assertThat(replayer.get("/v1/dead-letters/dl_rate_disabled", ADMIN_KEY).text("state")).isEqualTo("dead");
            // A second job over the same filter finds only the letters that are still dead.
            TestReplayer.Response second = replayer.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("topic", "orders.rate")));
            assertThat(second.body().get("total").asInt()).isEqualTo(2);

            String metrics = replayer.get("/metrics", null).raw();
            assertThat(metrics).contains("hookline_replay_letters_total").contains("hookline_dlq_letters{");
        }
    }

    /**
     * The requested rate holds within 10 %: 100 letters at 20/s, measured from the job's creation to the last
     * replay's own record timestamp on the deliveries topic (about 5 s). An ignored rate (as fast as possible) or a
     * rate off by more than 10 % fails; a few slow writes on a loaded machine do not (the schedule catches up).
     */
    @Test
    void aJobReplaysAtItsRequestedRateWithinTenPercent(TestKafka kafka, TestDatabase db) throws Exception {
        int letters = 100;
        double rate = 20;
        try (TestReplayer replayer = TestReplayer.start(TestReplayer.env(kafka, db))) {
            TestReplayer.subscription(kafka, "sub_pace", "default", "active");
            TestReplayer.produceAll(kafka, java.util.stream.IntStream.range(0, letters).mapToObj(i -> letter(
                    String.format("dl_pace_%03d", i), "default", "sub_pace", "orders.pace", DeadLetter.MAX_AGE, 504,
                    T0.plusSeconds(i))).toList());
            awaitIndexed(replayer, "subscription=sub_pace", letters);
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(replayer,
                    "hookline_dlq_dead_letters\\{[^}]*reason=\"max_age\"[^}]*}") >= letters);

            TestReplayer.Response created = replayer.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("subscription", "sub_pace"), "ratePerSecond", rate));
            // The worker starts before the answer leaves (its first write may come just before this instant).
            Instant createdAt = Instant.now();
            assertThat(created.status()).as(created.toString()).isEqualTo(202);
            String jobId = created.text("id");
            // The job runs for about 5 s; the gauge (refreshed every 2 s) must see it.
            await().atMost(Duration.ofSeconds(5)).until(() -> metric(replayer, "hookline_replay_jobs_running\\{[^}]*}") == 1);
            JsonNode job = awaitJob(replayer, jobId, "completed");
            assertThat(job.get("replayed").asInt()).isEqualTo(letters);

            Map<String, List<ConsumerRecord<String, String>>> tasks = TestReplayer.replaysOf(kafka, jobId, letters);
            assertThat(tasks).hasSize(letters);
            // From the job's creation to the last write: the first letter goes out at once and the last is due
            // 99 intervals later, so at the requested rate this is 4.95 s. A replayer
            // that ignored the rate would be far quicker, one that fell behind its schedule slower.
            List<Long> times = tasks.values().stream().map(l -> l.get(0).timestamp()).sorted().toList();
            double seconds = (times.get(letters - 1) - createdAt.toEpochMilli()) / 1000.0;
            double measured = (letters - 1) / seconds;
            LOG.info("replay job {}: {} letters requested at {}/s went out at {}/s (job created to last write: {} s,"
                    + " first to last write: {} s)", jobId, letters, rate, String.format("%.2f", measured),
                    String.format("%.2f", seconds), String.format("%.2f", (times.get(letters - 1) - times.get(0))
                            / 1000.0));
            assertThat(measured).as("replays/s over %.2f s", seconds).isBetween(rate * 0.9, rate * 1.1);
            assertThat(metric(replayer, "hookline_replay_letters_total\\{[^}]*outcome=\"replayed\"[^}]*}"))
                    .isGreaterThanOrEqualTo(letters);
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(replayer, "hookline_replay_jobs_running\\{[^}]*}") == 0);
        }
    }

    /** The value of the first Prometheus sample whose name (and labels) match {@code regex}, or -1. */
    private static double metric(TestReplayer replayer, String regex) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$")
                .matcher(replayer.get("/metrics", null).raw());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void badJobRequestsAreClearClientErrors(TestKafka kafka, TestDatabase db) throws Exception {
        try (TestReplayer replayer = TestReplayer.start(TestReplayer.env(kafka, db))) {
            Map<Object, String> bad = Map.of(
                    Map.of("filter", Map.of(), "ratePerSecond", 0), "ratePerSecond",
                    Map.of("filter", Map.of(), "ratePerSecond", -5), "ratePerSecond",
                    Map.of("filter", Map.of(), "ratePerSecond", "fast"), "ratePerSecond",
                    Map.of("filter", Map.of(), "ratePerSecond", 1_000_000), "ratePerSecond",
                    Map.of("filter", Map.of("status", "x")), "filter.status",
                    Map.of("filter", Map.of("colour", "red")), "filter.colour",
                    Map.of("filter", Map.of("since", "last week")), "filter.since",
                    Map.of("ratePerSecond", 5), "filter",
                    Map.of("filter", Map.of(), "extra", 1), "extra");
            for (Map.Entry<Object, String> e : bad.entrySet()) {
                TestReplayer.Response r = replayer.post("/v1/replays", ADMIN_KEY, e.getKey());
                assertThat(r.status()).as(e.getKey() + " → " + r).isEqualTo(422);
                assertThat(r.text("detail")).as(e.getKey().toString()).startsWith(e.getValue() + ":");
            }
            assertThat(replayer.post("/v1/replays", ADMIN_KEY, "{oops").status()).isEqualTo(400);
            assertThat(replayer.get("/v1/replays/rpl_nope", ADMIN_KEY).status()).isEqualTo(404);
            assertThat(replayer.post("/v1/replays/rpl_nope/cancel", ADMIN_KEY, null).status()).isEqualTo(404);
            TestReplayer.Response noSince = replayer.post("/v1/subscriptions/sub_x/recover", ADMIN_KEY, Map.of());
            assertThat(noSince.status()).isEqualTo(422);
            assertThat(noSince.text("detail")).startsWith("since:");
            assertThat(replayer.post("/v1/subscriptions/sub_unknown/recover", ADMIN_KEY,
                    Map.of("since", T0.toString())).status()).isEqualTo(404);
            TestReplayer.Response badSince = replayer.post("/v1/subscriptions/sub_x/recover", ADMIN_KEY,
                    Map.of("since", "yesterday"));
            assertThat(badSince.status()).isEqualTo(422);
            assertThat(badSince.text("detail")).startsWith("since:");
        }
    }

    @Test
    void aJobResumesAfterARestartWithoutReplayingAnyLetterTwice(TestKafka kafka, TestDatabase db) throws Exception {
        Map<String, String> env = TestReplayer.env(kafka, db);
        String jobId;
        TestReplayer.subscription(kafka, "sub_resume", "default", "active");
        try (TestReplayer replayer = TestReplayer.start(env)) {
            for (int i = 0; i < 30; i++) {
                produce(kafka, letter(String.format("dl_resume_%02d", i), "default", "sub_resume", "orders.resume",
                        DeadLetter.MAX_AGE, 504, T0.plusSeconds(i)));
            }
            awaitIndexed(replayer, "subscription=sub_resume", 30);
            // The recover shortcut: everything that died for the subscription since a time.
            TestReplayer.Response created = replayer.post("/v1/subscriptions/sub_resume/recover", ADMIN_KEY,
                    Map.of("since", T0.minusSeconds(1).toString(), "ratePerSecond", 10));
            assertThat(created.status()).as(created.toString()).isEqualTo(202);
            jobId = created.text("id");
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> replayer.get("/v1/replays/" + jobId, ADMIN_KEY).body().get("replayed").asInt() >= 5);
        }
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT state FROM replayer.replay_jobs WHERE id = '" + jobId + "'");
            rs.next();
            assertThat(rs.getString(1)).as("the job was stopped mid-way").isEqualTo("running");
        }
        // Make the restarted indexer re-read the whole DLQ topic: the index must not grow.
        resetIndexerOffsets(kafka);
        try (TestReplayer replayer = TestReplayer.start(env)) {
            JsonNode job = awaitJob(replayer, jobId, "completed");
            assertThat(job.get("total").asInt()).isEqualTo(30);
            assertThat(job.get("replayed").asInt()).isEqualTo(30);
            assertThat(job.get("failed").asInt()).isZero();
            Map<String, List<ConsumerRecord<String, String>>> tasks = TestReplayer.replaysOf(kafka, jobId, 30);
            assertThat(tasks).hasSize(30);
            assertThat(tasks.values()).allSatisfy(l -> assertThat(l).as("records per letter").hasSize(1));
            awaitIndexed(replayer, "subscription=sub_resume", 30);
            produce(kafka, letter("dl_resume_sentinel", "default", "sub_resume", "orders.resume",
                    DeadLetter.MAX_AGE, 504, T0));
            awaitIndexed(replayer, "subscription=sub_resume", 31);
        }
    }

    /**
     * The crash window itself: letters a dead replayer left in {@code sending}. One of them had reached Kafka, one
     * had not, and one was in a transaction the dead replayer never committed (its write was in flight). The
     * restarted replayer must fence that transaction off (it aborts, and its producer can never commit it later),
     * write the second and third letters once, and not write the first again.
     */
    @Test
    void lettersLeftInSendingAreCheckedOnKafkaBeforeTheJobResumes(TestKafka kafka, TestDatabase db) throws Exception {
        Map<String, String> env = TestReplayer.env(kafka, db);
        TestReplayer.subscription(kafka, "sub_crash", "default", "active");
        List<String> ids = List.of("dl_crash_written", "dl_crash_unwritten", "dl_crash_inflight");
        try (TestReplayer replayer = TestReplayer.start(env)) {
            for (String id : ids) {
                produce(kafka, letter(id, "default", "sub_crash", "orders.crash", DeadLetter.EXHAUSTED, 500, T0));
            }
            awaitIndexed(replayer, "subscription=sub_crash", 3);
        }
        String jobId = "rpl_crash_job";
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO replayer.replay_jobs (id, kind, created_by, filter, rate_per_second, state, total)"
                    + " VALUES ('" + jobId + "', 'job', 'admin', '{}', 100, 'running', 3)");
            for (String id : ids) {
                s.executeUpdate("INSERT INTO replayer.replay_job_letters (job_id, letter_id, state, sending_at) "
                        + "VALUES ('" + jobId + "', '" + id + "', 'sending', now())");
            }
            s.executeUpdate("UPDATE replayer.dead_letters SET state = 'replaying', replay_job_id = '" + jobId
                    + "' WHERE subscription_id = 'sub_crash'");
        }
        String deliveries = new TopicNames(kafka.topicPrefix()).deliveries();
        // What the dead replayer had written before it died.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProps())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(deliveries, "sub_crash",
                    "{\"written\":\"before the crash\"}");
            record.headers().add("hookline-replay", (jobId + "/dl_crash_written").getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
        // And what it had in flight: on the log, in a transaction under the replayer's id that never committed.
        Map<String, Object> zombieProps = new HashMap<>(kafka.producerProps());
        zombieProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.topicPrefix() + "-dlq-replayer-replayer");
        try (KafkaProducer<String, String> zombie = new KafkaProducer<>(zombieProps)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            ProducerRecord<String, String> record = new ProducerRecord<>(deliveries, "sub_crash",
                    "{\"written\":\"in flight when it died\"}");
            record.headers().add("hookline-replay", (jobId + "/dl_crash_inflight").getBytes(StandardCharsets.UTF_8));
            zombie.send(record).get(30, TimeUnit.SECONDS);

            try (TestReplayer replayer = TestReplayer.start(env)) {
                JsonNode job = awaitJob(replayer, jobId, "completed");
                assertThat(job.get("replayed").asInt()).isEqualTo(3);
                Map<String, List<ConsumerRecord<String, String>>> tasks = TestReplayer.replaysOf(kafka, jobId, 3);
                assertThat(tasks.get("dl_crash_written")).hasSize(1);
                assertThat(tasks.get("dl_crash_written").get(0).value()).contains("before the crash");
                assertThat(tasks.get("dl_crash_unwritten")).hasSize(1);
                assertThat(tasks.get("dl_crash_inflight")).as("the aborted write is not counted").hasSize(1);
                assertThat(tasks.get("dl_crash_inflight").get(0).value()).doesNotContain("in flight");
                assertThat(replayer.get("/v1/dead-letters/dl_crash_written", ADMIN_KEY).text("state"))
                        .isEqualTo("replayed");
            }
            assertThatThrownBy(zombie::commitTransaction).as("the dead replayer's producer was fenced")
                    .isInstanceOf(KafkaException.class);
        }
        assertThat(TestReplayer.replaysOf(kafka, jobId, 3).get("dl_crash_inflight")).hasSize(1);
    }

    @Test
    void aCancelledJobStopsAndReturnsItsPendingLettersToDead(TestKafka kafka, TestDatabase db) throws Exception {
        try (TestReplayer replayer = TestReplayer.start(TestReplayer.env(kafka, db))) {
            TestReplayer.subscription(kafka, "sub_cancel", "default", "active");
            for (int i = 0; i < 10; i++) {
                produce(kafka, letter("dl_cancel_" + i, "default", "sub_cancel", "orders.cancel",
                        DeadLetter.EXHAUSTED, 500, T0));
            }
            awaitIndexed(replayer, "subscription=sub_cancel", 10);
            TestReplayer.Response created = replayer.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("subscription", "sub_cancel"), "ratePerSecond", 0.5));
            String jobId = created.text("id");
            TestReplayer.Response cancelled = replayer.post("/v1/replays/" + jobId + "/cancel", ADMIN_KEY, null);
            assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
            assertThat(cancelled.text("state")).isEqualTo("cancelled");
            JsonNode job = await().atMost(Duration.ofSeconds(30)).until(
                    () -> replayer.get("/v1/replays/" + jobId, ADMIN_KEY).body(), b -> b.get("pending").asInt() == 0);
            int replayed = job.get("replayed").asInt();
            assertThat(replayed).isLessThan(10);
            assertThat(job.get("cancelled").asInt()).isEqualTo(10 - replayed);
            TestReplayer.Response dead = replayer.get("/v1/dead-letters?subscription=sub_cancel&state=dead", ADMIN_KEY);
            assertThat(dead.body().get("data")).hasSize(10 - replayed);
            TestReplayer.Response again = replayer.post("/v1/replays/" + jobId + "/cancel", ADMIN_KEY, null);
            assertThat(again.status()).isEqualTo(200);
        }
    }

    /** Two instances (a rolling update): only the lease holder writes, each letter still goes out once. */
    @Test
    void withTwoInstancesOnlyOneWritesReplaysAndTheOtherTakesOverWhenItStops(TestKafka kafka, TestDatabase db)
            throws Exception {
        Map<String, String> env = TestReplayer.env(kafka, db);
        TestReplayer.subscription(kafka, "sub_pair", "default", "active");
        String jobId;
        try (TestReplayer first = TestReplayer.start(env); TestReplayer second = TestReplayer.start(env)) {
            for (int i = 0; i < 12; i++) {
                produce(kafka, letter(String.format("dl_pair_%02d", i), "default", "sub_pair", "orders.pair",
                        DeadLetter.EXHAUSTED, 500, T0.plusSeconds(i)));
            }
            awaitIndexed(second, "subscription=sub_pair", 12);
            TestReplayer.Response created = second.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("subscription", "sub_pair"), "ratePerSecond", 8));
            assertThat(created.status()).isEqualTo(202);
            jobId = created.text("id");
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> second.get("/v1/replays/" + jobId, ADMIN_KEY).body().get("replayed").asInt() >= 3);
            first.close(); // the lease holder stops mid-job; the second instance must finish the job
            JsonNode job = awaitJob(second, jobId, "completed");
            assertThat(job.get("replayed").asInt()).isEqualTo(12);
        }
        Map<String, List<ConsumerRecord<String, String>>> tasks = TestReplayer.replaysOf(kafka, jobId, 12);
        assertThat(tasks).hasSize(12);
        assertThat(tasks.values()).allSatisfy(l -> assertThat(l).as("records per letter").hasSize(1));
    }

    private static void resetIndexerOffsets(TestKafka kafka) throws Exception {
        String topic = new TopicNames(kafka.topicPrefix()).dlq();
        try (Admin admin = kafka.newAdmin()) {
            Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            Map<TopicPartition, OffsetAndMetadata> zero = partitions.stream()
                    .collect(Collectors.toMap(Function.identity(), tp -> new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets(kafka.topicPrefix() + "-dlq-replayer", zero).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

}
