package io.hookline.replayer;

import static io.hookline.replayer.TestReplayer.ADMIN_KEY;
import static io.hookline.replayer.TestReplayer.letter;
import static io.hookline.replayer.TestReplayer.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.json.Json;
import io.hookline.replayer.cli.HooklineCli;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.PostgresExtension;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code hookline dlq …} against a running replayer. */
@ExtendWith({KafkaExtension.class, PostgresExtension.class})
class DlqCliIT {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(TestReplayer replayer, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HooklineCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("dlq", "--url", replayer.baseUrl, "--api-key", ADMIN_KEY));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void listsShowsDiscardsAndReplaysWithProgress(TestKafka kafka, TestDatabase db) throws Exception {
        try (TestReplayer replayer = TestReplayer.start(TestReplayer.env(kafka, db))) {
            TestReplayer.subscription(kafka, "sub_cli", "default", "active");
            Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
            for (int i = 0; i < 6; i++) {
                produce(kafka, letter("dl_cli_" + i, "default", "sub_cli", "orders.cli", DeadLetter.EXHAUSTED, 500,
                        t0.plusSeconds(i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> run(replayer, "ls", "--subscription", "sub_cli", "-o",
                    "json").out().contains("dl_cli_5"));

            Run table = run(replayer, "ls", "--subscription", "sub_cli");
            assertThat(table.exit()).isZero();
            assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("SUBSCRIPTION")
                    .contains("REASON").contains("STATE");
            assertThat(table.out()).contains("dl_cli_0").contains("exhausted");

            Run json = run(replayer, "ls", "--subscription", "sub_cli", "--limit", "2", "--output", "json");
            JsonNode page = Json.MAPPER.readTree(json.out());
            assertThat(page.get("data")).hasSize(2);
            assertThat(page.get("nextCursor").isNull()).isFalse();

            Run show = run(replayer, "show", "dl_cli_1");
            assertThat(show.out()).contains("attempts:").contains("HTTP 502").contains("\"letter\" : \"dl_cli_1\"");

            Run discard = run(replayer, "discard", "dl_cli_0");
            assertThat(discard.exit()).isZero();
            assertThat(discard.out()).contains("discarded");
            Run again = run(replayer, "replay", "dl_cli_0");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("HTTP 409").contains("discarded");

            Run job = run(replayer, "replay", "--subscription", "sub_cli", "--rate", "20");
            assertThat(job.exit()).as(job.err()).isZero();
            assertThat(job.out()).contains("5 letter(s)").contains("[##############################]  5/5  100%");

            Run jobs = run(replayer, "jobs", "-o", "json");
            assertThat(Json.MAPPER.readTree(jobs.out()).get("data").get(0).get("replayed").asInt()).isEqualTo(5);
            Run badRate = run(replayer, "replay", "--subscription", "sub_cli", "--rate", "0");
            assertThat(badRate.exit()).isEqualTo(1);
            assertThat(badRate.err()).contains("HTTP 422").contains("ratePerSecond");
            assertThat(run(replayer, "replay").exit()).isEqualTo(2);
        }
    }
}
