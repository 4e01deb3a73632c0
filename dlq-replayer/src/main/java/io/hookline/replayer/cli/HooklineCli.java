package io.hookline.replayer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hookline dlq ls|show|replay|discard|recover|jobs}: the dead-letter API from a terminal. Human tables by
 * default, {@code --output json} for scripts; {@code replay --filter…} and {@code jobs show --watch} draw a progress
 * bar until the job ends. Exit codes: 0 ok, 1 the API refused (its detail is printed), 2 bad usage.
 */
@Command(name = "hookline", mixinStandardHelpOptions = true, version = "hookline 0.1.0",
        description = "Hookline command line.", subcommands = HooklineCli.Dlq.class)
public final class HooklineCli {

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with Hookline's error handling (API errors → one line on stderr, exit 1). */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new HooklineCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ApiClient.ApiException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    enum Output { table, json }

    @Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead letters and replays.",
            subcommands = {Ls.class, Show.class, Replay.class, Discard.class, Recover.class, Jobs.class})
    static final class Dlq {
        @Option(names = "--url", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:HOOKLINE_REPLAYER_URL:-http://127.0.0.1:8083}",
                description = "Base URL of the dlq-replayer (env HOOKLINE_REPLAYER_URL; default ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--api-key", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:HOOKLINE_API_KEY}",
                description = "API key with the replay scope (env HOOKLINE_API_KEY).")
        String apiKey;

        @Option(names = {"-o", "--output"}, scope = CommandLine.ScopeType.INHERIT, defaultValue = "table", description = "table or json.")
        Output output;

        @Spec
        CommandLine.Model.CommandSpec spec;

        ApiClient client() {
            return new ApiClient(url, apiKey);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        boolean json() {
            return output == Output.json;
        }

        void printJson(JsonNode node) {
            out().println(Json.writeString(node));
            out().flush();
        }
    }

    /** Filter options shared by {@code ls} and {@code replay}. */
    static final class FilterOptions {
        @Option(names = "--subscription") String subscription;
        @Option(names = "--topic") String topic;
        @Option(names = "--reason", description = "exhausted, max_age, gone or permanent") String reason;
        @Option(names = "--status", description = "last HTTP status") Integer status;
        @Option(names = "--since", description = "ISO-8601 instant") String since;
        @Option(names = "--until", description = "ISO-8601 instant") String until;
        @Option(names = "--tenant", description = "admin key only") String tenant;

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            put(m, "subscription", subscription);
            put(m, "topic", topic);
            put(m, "reason", reason);
            put(m, "status", status);
            put(m, "since", since);
            put(m, "until", until);
            put(m, "tenant", tenant);
            return m;
        }

        boolean isEmpty() {
            return asMap().isEmpty();
        }

        private static void put(Map<String, Object> m, String k, Object v) {
            if (v != null) {
                m.put(k, v);
            }
        }
    }

    private static final String[] LETTER_HEADERS =
            {"ID", "SUBSCRIPTION", "TOPIC", "REASON", "STATUS", "ATTEMPTS", "DIED", "STATE"};
    private static final String[] LETTER_FIELDS =
            {"id", "subscription", "topic", "reason", "lastStatus", "attemptCount", "deadAt", "state"};

    @Command(name = "ls", description = "List dead letters.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @CommandLine.ArgGroup(exclusive = false) FilterOptions filter = new FilterOptions();
        @Option(names = "--state", description = "dead, replaying, replayed or discarded") String state;
        @Option(names = "--limit", defaultValue = "50") int limit;
        @Option(names = "--cursor") String cursor;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            filter.asMap().forEach((k, v) -> q.put(k, String.valueOf(v)));
            q.put("state", state);
            q.put("limit", Integer.toString(limit));
            q.put("cursor", cursor);
            JsonNode page = dlq.client().get("/v1/dead-letters", q);
            if (dlq.json()) {
                dlq.printJson(page);
                return 0;
            }
            Tables.print(dlq.out(), page.get("data"), LETTER_HEADERS, LETTER_FIELDS);
            if (page.hasNonNull("nextCursor")) {
                dlq.out().println("more: --cursor " + page.get("nextCursor").asText());
            }
            dlq.out().flush();
            return 0;
        }
    }

    @Command(name = "show", description = "Show one dead letter with its payload and every attempt.")
    static final class Show implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() {
            JsonNode letter = dlq.client().get("/v1/dead-letters/" + id, Map.of());
            if (dlq.json()) {
                dlq.printJson(letter);
                return 0;
            }
            PrintWriter out = dlq.out();
            for (String f : LETTER_FIELDS) {
                out.printf("%-14s %s%n", f, text(letter.get(f)));
            }
            out.printf("%-14s %s%n", "eventId", text(letter.get("eventId")));
            if (letter.hasNonNull("discardedBy")) {
                out.printf("%-14s %s at %s%n", "discarded by", text(letter.get("discardedBy")),
                        text(letter.get("discardedAt")));
            }
            out.println();
            out.println("attempts:");
            Tables.print(out, letter.get("attempts"), new String[] {"#", "AT", "STATUS", "LATENCY_MS", "ERROR"},
                    new String[] {"attempt", "at", "statusCode", "latencyMs", "error"});
            out.println();
            out.println("payload:");
            out.println(letter.get("payload").toPrettyString());
            out.flush();
            return 0;
        }
    }

    @Command(name = "replay", description = "Replay one dead letter (by id) or start a job over a filter.")
    static final class Replay implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @Parameters(paramLabel = "ID", arity = "0..1") String id;
        @CommandLine.ArgGroup(exclusive = false) FilterOptions filter = new FilterOptions();
        @Option(names = "--all", description = "with no filter: every dead letter you can see") boolean all;
        @Option(names = "--rate", description = "replays per second") Double rate;
        @Option(names = "--no-wait", negatable = true, defaultValue = "true",
                description = "wait for the job, with a progress bar (default)") boolean wait;

        @Override
        public Integer call() {
            ApiClient api = dlq.client();
            if (id != null) {
                if (!filter.isEmpty()) {
                    throw new CommandLine.ParameterException(dlq.spec.commandLine(), "give an ID or filters, not both");
                }
                JsonNode r = api.send("POST", "/v1/dead-letters/" + id + "/replay", null);
                if (dlq.json()) {
                    dlq.printJson(r);
                } else {
                    dlq.out().println("dead letter " + id + ": " + r.path("state").asText() + " (job "
                            + r.path("replayJob").asText() + ")");
                    dlq.out().flush();
                }
                return 0;
            }
            if (filter.isEmpty() && !all) {
                throw new CommandLine.ParameterException(dlq.spec.commandLine(),
                        "give an ID, filters (--subscription, --topic, …) or --all");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("filter", filter.asMap());
            if (rate != null) {
                body.put("ratePerSecond", rate);
            }
            JsonNode created = api.send("POST", "/v1/replays", body);
            String jobId = created.get("id").asText();
            if (!dlq.json()) {
                dlq.out().println("replay job " + jobId + ": " + created.get("total").asInt() + " letter(s) at "
                        + created.get("ratePerSecond").asDouble() + "/s");
                dlq.out().flush();
            }
            return wait ? Jobs.watch(dlq, jobId) : printCreated(created);
        }

        private int printCreated(JsonNode created) {
            if (dlq.json()) {
                dlq.printJson(created);
            }
            return 0;
        }
    }

    @Command(name = "discard", description = "Discard a dead letter (kept and audited, never replayed).")
    static final class Discard implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() {
            dlq.client().send("DELETE", "/v1/dead-letters/" + id, null);
            if (dlq.json()) {
                dlq.printJson(Json.MAPPER.valueToTree(Map.of("id", id, "state", "discarded")));
            } else {
                dlq.out().println("dead letter " + id + ": discarded");
                dlq.out().flush();
            }
            return 0;
        }
    }

    @Command(name = "recover", description = "Replay everything that died for a subscription since a time.")
    static final class Recover implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @Parameters(paramLabel = "SUBSCRIPTION") String subscription;
        @Option(names = "--since", required = true, description = "ISO-8601 instant") String since;
        @Option(names = "--rate", description = "replays per second") Double rate;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("since", since);
            if (rate != null) {
                body.put("ratePerSecond", rate);
            }
            JsonNode created = dlq.client().send("POST", "/v1/subscriptions/" + subscription + "/recover", body);
            return Jobs.watch(dlq, created.get("id").asText());
        }
    }

    @Command(name = "jobs", description = "Replay jobs: list (default), show ID [--watch], cancel ID.")
    static final class Jobs implements Callable<Integer> {
        @ParentCommand Dlq dlq;
        @Parameters(paramLabel = "ACTION", index = "0", arity = "0..1", defaultValue = "list") String action;
        @Parameters(paramLabel = "ID", arity = "0..1", index = "1") String id;
        @Option(names = "--watch", description = "with show: follow the job with a progress bar") boolean watch;

        @Override
        public Integer call() {
            ApiClient api = dlq.client();
            switch (action) {
                case "list", "ls" -> {
                    JsonNode page = api.get("/v1/replays", Map.of("limit", "200"));
                    if (dlq.json()) {
                        dlq.printJson(page);
                    } else {
                        Tables.print(dlq.out(), page.get("data"),
                                new String[] {"ID", "KIND", "STATE", "TOTAL", "REPLAYED", "FAILED", "PROGRESS", "RATE"},
                                new String[] {"id", "kind", "state", "total", "replayed", "failed", "progress",
                                        "ratePerSecond"});
                        dlq.out().flush();
                    }
                    return 0;
                }
                case "show", "cancel" -> {
                    if (id == null) {
                        throw new CommandLine.ParameterException(dlq.spec.commandLine(), "jobs " + action + " needs an ID");
                    }
                    if (action.equals("cancel")) {
                        JsonNode job = api.send("POST", "/v1/replays/" + id + "/cancel", null);
                        return printJob(dlq, job);
                    }
                    return watch ? watch(dlq, id) : printJob(dlq, api.get("/v1/replays/" + id, Map.of()));
                }
                default -> throw new CommandLine.ParameterException(dlq.spec.commandLine(),
                        "unknown action '" + action + "' (list, show, cancel)");
            }
        }

        static int printJob(Dlq dlq, JsonNode job) {
            if (dlq.json()) {
                dlq.printJson(job);
                return 0;
            }
            PrintWriter out = dlq.out();
            out.println("job " + job.get("id").asText() + " (" + job.path("kind").asText() + ")");
            out.println(Tables.progressBar(job, 30));
            for (JsonNode f : job.path("failures")) {
                out.println("  failed " + f.path("letter").asText() + ": " + f.path("reason").asText());
            }
            out.flush();
            return 0;
        }

        /** Follows a job until it ends: a progress bar redrawn in place (one line per change in json mode). */
        static int watch(Dlq dlq, String jobId) {
            ApiClient api = dlq.client();
            PrintWriter out = dlq.out();
            boolean terminal = System.console() != null;
            String last = null;
            while (true) {
                JsonNode job = api.get("/v1/replays/" + jobId, Map.of());
                boolean running = "running".equals(job.path("state").asText());
                if (dlq.json()) {
                    if (!running) {
                        dlq.printJson(job);
                    }
                } else {
                    String bar = Tables.progressBar(job, 30);
                    if (!bar.equals(last)) {
                        out.print(terminal ? "\r" + bar : bar + System.lineSeparator());
                        out.flush();
                        last = bar;
                    }
                }
                if (!running) {
                    if (!dlq.json()) {
                        if (terminal) {
                            out.println();
                        }
                        for (JsonNode f : job.path("failures")) {
                            out.println("  failed " + f.path("letter").asText() + ": " + f.path("reason").asText());
                        }
                        out.flush();
                    }
                    return job.path("failed").asInt() > 0 ? 3 : 0;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Duration.ofMillis(500).toMillis()));
            }
        }
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() ? "-" : v.isTextual() ? v.textValue() : v.toString();
    }
}
