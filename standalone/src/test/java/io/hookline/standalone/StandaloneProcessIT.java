package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hookline.common.json.Json;
import io.hookline.testkit.WebhookReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone jar as a user runs it: started with {@code java -jar}, driven through the README's curl
 * walkthrough, killed with SIGKILL, started again on the same data directory (stale postmaster and all), stopped
 * with SIGTERM, and refused with one clear line on bad configuration.
 */
class StandaloneProcessIT {
    private static final Path JAR = Path.of("target", "hookline-standalone.jar");

    @TempDir
    Path root;
    private Path dataDir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @BeforeEach
    void dataUnderTheRoot() {
        dataDir = root.resolve("data");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private Process launch(Map<String, String> env, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(java(), "-Xmx1g", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("HOOKLINE_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void survivesKillDashNineAndStartsAgainOnItsData() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_DATA_DIR", dataDir.toString());
        int registrar = freePort();
        int gateway = freePort();
        env.put("HOOKLINE_GATEWAY_PORT", Integer.toString(gateway));
        env.put("HOOKLINE_REGISTRAR_PORT", Integer.toString(registrar));
        env.put("HOOKLINE_DISPATCHER_PORT", Integer.toString(freePort()));
        env.put("HOOKLINE_REPLAYER_PORT", Integer.toString(freePort()));
        env.put("HOOKLINE_BROKER_PORT", Integer.toString(freePort()));
        env.put("HOOKLINE_BROKER_CONTROLLER_PORT", Integer.toString(freePort()));
        env.put("HOOKLINE_DB_PORT", Integer.toString(freePort()));
        Path log = root.resolve("first.log");

        Process first = launch(env, log);
        awaitBanner(first, log);
        String adminKey = Files.readString(dataDir.resolve("admin-key")).trim();
        String subscription = runReadmeWalkthrough(gateway, registrar);

        first.destroyForcibly(); // SIGKILL: no shutdown hook runs, PostgreSQL is orphaned
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Path secondLog = root.resolve("second.log");
        Process second = launch(env, secondLog);
        awaitBanner(second, secondLog);
        long ready = System.nanoTime();
        assertThat(Files.readString(dataDir.resolve("admin-key")).trim()).isEqualTo(adminKey);
        HooklineApi api = new HooklineApi(adminKey);
        var topic = api.get(registrar, "/v1/topics/orders.created");
        assertThat(topic.status()).as(topic.raw()).isEqualTo(200);
        assertThat(topic.body().get("name").asText()).isEqualTo("orders.created");
        var kept = api.get(registrar, "/v1/subscriptions/" + subscription);
        assertThat(kept.status()).as(kept.raw()).isEqualTo(200);
        deliversSoonAfterReady(api, gateway, registrar, ready);

        long postgres = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"))
                .get(0).trim());
        second.destroy(); // SIGTERM: the clean shutdown path
        // The services drain first; PostgreSQL must still be there for them until the last one has stopped.
        await("standalone stops on SIGTERM").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (ProcessHandle.of(postgres).filter(ProcessHandle::isAlive).isEmpty()) {
                        assertThat(Files.readString(secondLog)).as("PostgreSQL stopped before the services")
                                .contains("registrar stopped", "dlq-replayer stopped");
                    }
                    return !second.isAlive();
                });
        assertThat(second.exitValue()).isZero();
        String shutdown = Files.readString(secondLog);
        assertThat(shutdown.substring(shutdown.indexOf("shutting down"))).contains("shut down cleanly")
                .doesNotContain("database unavailable");
        // pg_ctl stop returns once the server has shut down; its process may take a moment more to exit.
        await("PostgreSQL stopped with the standalone").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(postgres).filter(ProcessHandle::isAlive).isEmpty());
    }

    /**
     * Deliveries resume as soon as the restarted standalone says it is ready: the killed process never left its
     * consumer groups, and with Kafka's default session timeout (45 s) they would hold their partitions for most of
     * a minute after the restart.
     */
    private static void deliversSoonAfterReady(HooklineApi api, int gateway, int registrar, long readyNanos)
            throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            var created = api.post(registrar, "/v1/subscriptions", Json.writeString(
                    Map.of("url", receiver.url("/after-restart"), "topics", List.of("orders.created"))));
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            // Events published before the dispatcher has the new subscription are not for it: publish until one is.
            await("a delivery after the restart").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        var published = api.post(gateway, "/v1/topics/orders.created/events", "{\"after\":\"restart\"}");
                        assertThat(published.status()).as(published.raw()).isEqualTo(202);
                        return !receiver.requests("/after-restart").isEmpty();
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - readyNanos)).as("first delivery after 'ready'")
                    .isLessThan(Duration.ofSeconds(25));
        }
    }

    /**
     * Runs the README's walkthrough as a newcomer pastes it, from a directory laid out like the repository, and
     * checks every answer it prints; returns the id of the subscription it created.
     */
    private String runReadmeWalkthrough(int gateway, int registrar) throws Exception {
        String script = ReadmeWalkthrough.withPorts(ReadmeWalkthrough.script(), gateway, registrar, freePort());
        Path file = ReadmeWalkthrough.install(root, JAR, script);
        Path out = root.resolve("walkthrough.log");
        ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        Path javaBin = Path.of(java()).getParent();
        builder.environment().put("PATH", javaBin + java.io.File.pathSeparator + builder.environment().get("PATH"));
        Process shell = builder.start();
        processes.add(shell);
        try {
            await("the walkthrough's receiver verifies a delivery").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        String text = Files.readString(out, StandardCharsets.UTF_8);
                        if (!shell.isAlive()) {
                            throw new AssertionError("the walkthrough ended with " + shell.exitValue() + ":\n" + text);
                        }
                        return text.contains("signature verified");
                    });
        } finally {
            shell.descendants().forEach(ProcessHandle::destroy); // the receiver: "kill %1"
            shell.waitFor(30, TimeUnit.SECONDS);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(text).as(text)
                .contains("{\"name\":\"orders.created\",\"tenant\":\"default\"")
                .contains("\"secret\":\"whsec_")
                .contains("{\"id\":\"evt_")
                .contains("\"type\":\"orders.created\"")
                .contains("\"data\":{\"orderId\":42,\"total\":\"19.99\"}")
                .doesNotContain("SIGNATURE INVALID").doesNotContain("signature not checked");
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":\"(sub_[0-9A-Z]+)\"").matcher(text);
        assertThat(id.find()).as(text).isTrue();
        return id.group(1);
    }

    private static void awaitBanner(Process process, Path log) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (!process.isAlive()) {
                throw new AssertionError("standalone exited with " + process.exitValue() + ":\n" + out);
            }
            return out.contains("Hookline standalone is ready");
        });
    }

    @Test
    void aBadSettingStopsStartUpWithOneLineNamingIt() throws Exception {
        Path log = root.resolve("bad.log");
        Process process = launch(Map.of("HOOKLINE_DATA_DIR", dataDir.toString(), "HOOKLINE_GATEWAY_PORT", "80a"), log);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).containsExactly(
                "hookline-standalone: configuration error: HOOKLINE_GATEWAY_PORT: must be an integer between 0 and 65535, got '80a'");
    }

    @Test
    void aPortInUseStopsStartUpWithOneLineNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path log = root.resolve("port.log");
            Map<String, String> env = new HashMap<>();
            env.put("HOOKLINE_DATA_DIR", dataDir.toString());
            env.put("HOOKLINE_BROKER_PORT", Integer.toString(taken.getLocalPort()));
            env.put("HOOKLINE_BROKER_CONTROLLER_PORT", Integer.toString(freePort()));
            env.put("HOOKLINE_DB_PORT", Integer.toString(freePort()));
            Process process = launch(env, log);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isNotZero();
            String out = Files.readString(log);
            assertThat(out).contains("hookline-standalone: ").contains(Integer.toString(taken.getLocalPort()));
            assertThat(out.lines().filter(l -> l.startsWith("\tat ")).count()).as("no stack trace:\n" + out).isZero();
        }
    }
}
