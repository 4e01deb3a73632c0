package io.hookline.replayer;

import static io.hookline.replayer.TestReplayer.ADMIN_KEY;
import static io.hookline.replayer.TestReplayer.letter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.kafka.TopicNames;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.PostgresExtension;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replayer killed with SIGKILL in the middle of a replay job, as its own process, and started again: the job
 * resumes and every dead letter reaches {@code hookline.deliveries} exactly once for the job, none lost.
 *
 * <p>The first kill is aimed at the one window that matters: the task is on Kafka but the replayer died before it
 * recorded the letter as sent. The test holds that window open with an advisory lock that a trigger on
 * {@code replay_job_letters} waits for before any row may become {@code sent}; the worker blocks there right after
 * Kafka's acknowledgement, and is killed. The second kill lands wherever the worker happens to be.
 */
@ExtendWith({KafkaExtension.class, PostgresExtension.class})
class ReplayerCrashIT {
    private static final int LETTERS = 60;
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
    /** The advisory lock the test holds to keep a written letter from being recorded as sent. */
    private static final long GATE = 0x6b696c6c5f676174L;

    @Test
    void aJobKilledMidWayResumesAndReplaysEveryLetterExactlyOnce(TestKafka kafka, TestDatabase db) throws Exception {
        Map<String, String> env = ChildReplayer.env(TestReplayer.env(kafka, db));
        String jobId;
        String held;
        long heldOffset;
        try (ChildReplayer first = ChildReplayer.start(env, "replayer-kill-first"); Connection gate = db.connect()) {
            TestReplayer api = first.api();
            TestReplayer.subscription(kafka, "sub_kill", "default", "active"); // topics exist once it started
            TestReplayer.produceAll(kafka, IntStream.range(0, LETTERS).mapToObj(i -> letter(
                    String.format("dl_kill_%03d", i), "default", "sub_kill", "orders.kill", DeadLetter.EXHAUSTED, 500,
                    T0.plusSeconds(i))).toList());
            awaitIndexed(api, LETTERS);
            installGate(gate);
            TestReplayer.Response created = api.post("/v1/replays", ADMIN_KEY,
                    Map.of("filter", Map.of("subscription", "sub_kill"), "ratePerSecond", 20));
            assertThat(created.status()).as(created.toString()).isEqualTo(202);
            jobId = created.text("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> replayed(api, jobId) >= 10);

            execute(gate, "SELECT pg_advisory_lock(" + GATE + ")");
            // The worker writes its next letter, gets Kafka's ack, then waits at the gate to record it as sent.
            String job = jobId;
            held = await().atMost(Duration.ofSeconds(30)).until(() -> sendingLetter(db, job), Optional::isPresent)
                    .orElseThrow();
            List<ConsumerRecord<String, String>> written = await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestReplayer.replaysOf(kafka, job, 1).get(held), Objects::nonNull);
            assertThat(written).as("the held letter is on Kafka").hasSize(1);
            heldOffset = written.get(0).offset();
            first.kill();
            execute(gate, "SELECT pg_advisory_unlock(" + GATE + ")");
            // Waits until the dead process's last transaction has rolled back (it holds the table's row locks).
            execute(gate, "DROP TRIGGER hold_sent ON replayer.replay_job_letters");
        }
        assertThat(letterState(db, jobId, held)).as("written, not recorded: the crash window").isEqualTo("sending");
        assertThat(jobState(db, jobId)).isEqualTo("running");

        try (ChildReplayer second = ChildReplayer.start(env, "replayer-kill-second")) {
            TestReplayer api = second.api();
            int before = replayed(api, jobId);
            await().atMost(Duration.ofSeconds(30)).until(() -> replayed(api, jobId) >= before + 15);
            second.kill(); // wherever the worker is now
            assertThat(second.output()).contains("letter " + held + " was written (recorded as sent)");
        }
        assertThat(jobState(db, jobId)).isEqualTo("running");

        try (ChildReplayer third = ChildReplayer.start(env, "replayer-kill-third")) {
            TestReplayer api = third.api();
            JsonNode job = await().atMost(Duration.ofSeconds(60)).until(
                    () -> api.get("/v1/replays/" + jobId, ADMIN_KEY).body(),
                    b -> "completed".equals(b.path("state").asText()));
            assertThat(job.get("total").asInt()).isEqualTo(LETTERS);
            assertThat(job.get("replayed").asInt()).isEqualTo(LETTERS);
            assertThat(job.get("failed").asInt()).isZero();

            Map<String, List<ConsumerRecord<String, String>>> records = TestReplayer.replaysOf(kafka, jobId, LETTERS);
            assertThat(records).as("every letter of the job, none lost").hasSize(LETTERS);
            assertThat(records.values()).allSatisfy(r -> assertThat(r).as("records per letter").hasSize(1));
            assertThat(records.get(held).get(0).offset()).as("the held letter was not written again")
                    .isEqualTo(heldOffset);
            TestReplayer.Response replayedLetters = api.get(
                    "/v1/dead-letters?subscription=sub_kill&state=replayed&limit=200", ADMIN_KEY);
            assertThat(replayedLetters.body().get("data")).hasSize(LETTERS);
            assertThat(TestReplayer.readToEnd(kafka, new TopicNames(kafka.topicPrefix()).deliveries()))
                    .as("nothing but this job's tasks was written").hasSize(LETTERS);
        }
    }

    private static void awaitIndexed(TestReplayer api, int count) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                api.get("/v1/dead-letters?subscription=sub_kill&limit=200", ADMIN_KEY).body().get("data"))
                .hasSize(count));
    }

    private static int replayed(TestReplayer api, String jobId) throws Exception {
        return api.get("/v1/replays/" + jobId, ADMIN_KEY).body().get("replayed").asInt();
    }

    /** A trigger that makes every transaction recording a letter as sent wait while the test holds the gate. */
    private static void installGate(Connection c) throws SQLException {
        execute(c, """
                CREATE FUNCTION replayer.wait_at_gate() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock_shared(%d);
                    RETURN NEW;
                END $$""".formatted(GATE));
        execute(c, "CREATE TRIGGER hold_sent BEFORE UPDATE ON replayer.replay_job_letters FOR EACH ROW "
                + "WHEN (NEW.state = 'sent') EXECUTE FUNCTION replayer.wait_at_gate()");
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Optional<String> sendingLetter(TestDatabase db, String jobId) throws SQLException {
        return query(db, "SELECT letter_id FROM replayer.replay_job_letters WHERE job_id = '" + jobId
                + "' AND state = 'sending'");
    }

    private static String letterState(TestDatabase db, String jobId, String letterId) throws SQLException {
        return query(db, "SELECT state FROM replayer.replay_job_letters WHERE job_id = '" + jobId
                + "' AND letter_id = '" + letterId + "'").orElseThrow();
    }

    private static String jobState(TestDatabase db, String jobId) throws SQLException {
        return query(db, "SELECT state FROM replayer.replay_jobs WHERE id = '" + jobId + "'").orElseThrow();
    }

    private static Optional<String> query(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }
}
