package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone jar as a user runs it: started with {@code java -jar}, killed with SIGKILL, started again on the
 * same data directory (stale postmaster and all), and refused with one clear line on bad configuration.
 */
class StandaloneProcessIT {
    private static final Path JAR = Path.of("target", "hookline-standalone.jar");

    @TempDir
    Path dataDir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Process launch(Map<String, String> env, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx1g", "-jar", JAR.toAbsolutePath().toString())
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
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-first.log");

        Process first = launch(env, log);
        awaitBanner(first, log);
        String adminKey = Files.readString(dataDir.resolve("admin-key")).trim();
        HooklineApi api = new HooklineApi(adminKey);
        var created = api.post(registrar, "/v1/topics", "{\"name\":\"survivor\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);

        first.destroyForcibly(); // SIGKILL: no shutdown hook runs, PostgreSQL is orphaned
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Path secondLog = dataDir.resolveSibling(dataDir.getFileName() + "-second.log");
        Process second = launch(env, secondLog);
        awaitBanner(second, secondLog);
        assertThat(Files.readString(dataDir.resolve("admin-key")).trim()).isEqualTo(adminKey);
        var topic = api.get(registrar, "/v1/topics/survivor");
        assertThat(topic.status()).as(topic.raw()).isEqualTo(200);
        assertThat(topic.body().get("name").asText()).isEqualTo("survivor");

        second.destroy(); // SIGTERM: the clean shutdown path
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("standalone stops on SIGTERM").isTrue();
        assertThat(Files.readString(secondLog)).contains("shutting down");
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
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-bad.log");
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
            Path log = dataDir.resolveSibling(dataDir.getFileName() + "-port.log");
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
