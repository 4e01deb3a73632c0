package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.config.ConfigDef;
import io.hookline.common.http.HttpServer;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.kafka.TopicProvisioner;
import io.hookline.dispatcher.DispatcherConfig;
import io.hookline.gateway.GatewayConfig;
import io.hookline.registrar.RegistrarConfig;
import io.hookline.replayer.ReplayerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps the deployment files honest against the code: every Kubernetes manifest under {@code deploy/k8s}, the
 * root {@code docker-compose.yml}, the Dockerfile and the observability pack are parsed and compared with what the
 * services really read (their {@code ConfigDef}s), the ports and probe paths they really serve, the jars the build
 * really produces and the metrics the code really registers. A unit test: no container, no cluster, no network.
 *
 * <p>Each test collects every mismatch it finds and reports them together, one line each, naming the file.
 */
class DeployManifestsTest {

    /** The service modules, the {@code *Config} class declaring each one's environment, by module directory. */
    private static final Map<String, Class<?>> SERVICE_CONFIGS = orderedMap(
            "registrar", RegistrarConfig.class,
            "ingest-gateway", GatewayConfig.class,
            "dispatcher", DispatcherConfig.class,
            "dlq-replayer", ReplayerConfig.class);

    /** The ports DESIGN.md section 6 promises; the ConfigDefs' defaults must agree (checked below). */
    private static final Map<String, Integer> DESIGN_PORTS = orderedMap(
            "ingest-gateway", 8080, "registrar", 8081, "dispatcher", 8082, "dlq-replayer", 8083);

    /** {@code FanOutStage.close()} waits this long for Kafka Streams to commit its open transaction. */
    private static final Duration FAN_OUT_CLOSE = Duration.ofSeconds(30);

    private static final String PASS_THROUGH = "HOOKLINE_KAFKA_";

    /** The panel types Grafana 10-12 ships (a dashboard naming another needs a plugin installed to load). */
    private static final Set<String> GRAFANA_PANEL_TYPES = Set.of("row", "timeseries", "stat", "gauge", "bargauge",
            "table", "text", "heatmap", "piechart", "barchart", "state-timeline", "status-history", "histogram",
            "logs", "nodeGraph", "traces", "flamegraph", "xychart", "trend", "candlestick", "canvas", "geomap",
            "news", "dashlist", "alertlist", "annolist", "datagrid");

    private static Path root;
    private static Map<String, ServiceEnv> services;
    private static Set<String> kafkaClientProperties;

    /** What a service reads from its environment. */
    record ServiceEnv(String module, Map<String, ConfigDef.Key<?>> keys) {
        boolean declares(String variable) {
            return keys.containsKey(variable);
        }

        Set<String> required() {
            return keys.values().stream().filter(ConfigDef.Key::required).map(ConfigDef.Key::variable)
                    .collect(Collectors.toCollection(TreeSet::new));
        }

        String defaultOf(String variable) {
            ConfigDef.Key<?> key = keys.get(variable);
            assertThat(key).as("%s declares %s", module, variable).isNotNull();
            return key.defaultValue();
        }

        int defaultPort() {
            return Integer.parseInt(defaultOf("HOOKLINE_HTTP_PORT"));
        }
    }

    @BeforeAll
    static void readTheServices() throws Exception {
        root = repositoryRoot();
        services = new LinkedHashMap<>();
        for (Map.Entry<String, Class<?>> e : SERVICE_CONFIGS.entrySet()) {
            Map<String, ConfigDef.Key<?>> keys = new LinkedHashMap<>();
            for (ConfigDef.Key<?> key : configDefOf(e.getValue()).keys()) {
                keys.put(key.variable(), key);
            }
            services.put(e.getKey(), new ServiceEnv(e.getKey(), keys));
        }
        kafkaClientProperties = new TreeSet<>();
        kafkaClientProperties.addAll(ProducerConfig.configNames());
        kafkaClientProperties.addAll(ConsumerConfig.configNames());
        kafkaClientProperties.addAll(AdminClientConfig.configNames());
        kafkaClientProperties.addAll(StreamsConfig.configDef().names());
    }

    // ------------------------------------------------------------------------------------------------ services

    @Test
    void everyServiceDeclaresItsPortAndTheRequiredKeysOfTheDesign() {
        for (ServiceEnv service : services.values()) {
            assertThat(service.defaultPort()).as("default HOOKLINE_HTTP_PORT of %s", service.module())
                    .isEqualTo(DESIGN_PORTS.get(service.module()));
            assertThat(service.keys()).as("%s reads Kafka", service.module())
                    .containsKeys("HOOKLINE_KAFKA_BOOTSTRAP_SERVERS", "HOOKLINE_TOPIC_PREFIX");
        }
        assertThat(services.get("registrar").required()).contains("HOOKLINE_ADMIN_KEY", "HOOKLINE_SECRET_KEY");
        assertThat(services.get("dispatcher").required()).contains("HOOKLINE_SECRET_KEY");
        assertThat(services.get("ingest-gateway").required()).contains("HOOKLINE_ADMIN_KEY");
        assertThat(services.get("dlq-replayer").required()).contains("HOOKLINE_ADMIN_KEY");
    }

    @Test
    void everyServiceModuleBuildsTheJarTheImagesRun() throws IOException {
        for (String module : SERVICE_CONFIGS.keySet()) {
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            assertThat(pom).as("%s/pom.xml", module)
                    .contains("<artifactId>hookline-" + module + "</artifactId>")
                    .contains("<main.class>");
        }
        assertThat(Files.readString(root.resolve("pom.xml")))
                .as("the parent pom writes the shaded jar as target/<artifactId>.jar")
                .contains("<outputFile>${project.build.directory}/${project.artifactId}.jar</outputFile>");
    }

    // ------------------------------------------------------------------------------------------------ Dockerfile

    @Test
    void dockerfileBuildsAndRunsEveryServiceTheWayTheServicesExpect() throws IOException {
        Path dockerfile = root.resolve("deploy/docker/Dockerfile");
        String text = Files.readString(dockerfile);
        String joined = text.replaceAll("\\\\\\r?\\n", " ");
        List<String> problems = new ArrayList<>();

        List<String> froms = matches(joined, "(?m)^FROM\\s+(\\S+)");
        expect(problems, froms.contains("eclipse-temurin:17-jdk"), dockerfile,
                "build stage is not on eclipse-temurin:17-jdk: " + froms);
        expect(problems, !froms.isEmpty() && froms.get(froms.size() - 1).equals("eclipse-temurin:17-jre"),
                dockerfile, "runtime stage is not on eclipse-temurin:17-jre: " + froms);
        expect(problems, joined.contains("./mvnw"), dockerfile, "does not build with the Maven wrapper");
        Matcher pl = Pattern.compile("-pl\\s+(\\S+)").matcher(joined);
        expect(problems, pl.find(), dockerfile, "does not select the service modules with -pl");
        if (pl.find(0)) {
            assertThat(Set.of(pl.group(1).split(","))).as("modules built by %s", dockerfile)
                    .containsExactlyInAnyOrderElementsOf(SERVICE_CONFIGS.keySet());
        }
        expect(problems, joined.contains("/src/${MODULE}/target/hookline-${MODULE}.jar"), dockerfile,
                "does not copy <module>/target/hookline-<module>.jar");

        // The health check's per-module default port must be the service's default HOOKLINE_HTTP_PORT.
        Map<String, Integer> casePorts = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([a-z-]+)\\)\\s*port=(\\d+)").matcher(joined);
        while (m.find()) {
            casePorts.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        for (ServiceEnv service : services.values()) {
            expect(problems, Objects.equals(casePorts.get(service.module()), service.defaultPort()), dockerfile,
                    "port of " + service.module() + " is " + casePorts.get(service.module())
                    + ", the service's default is "
                            + service.defaultPort());
        }

        List<String> users = matches(joined, "(?m)^USER\\s+(\\S+)");
        expect(problems, !users.isEmpty() && users.get(users.size() - 1).matches("[1-9]\\d*(:[1-9]\\d*)?"),
                dockerfile, "the image does not end with a numeric non-root USER: " + users);
        List<String> healthchecks = matches(joined, "(?m)^HEALTHCHECK\\s+(.+)$");
        expect(problems, healthchecks.size() == 1 && healthchecks.get(0).contains("/healthz"), dockerfile,
                "needs one HEALTHCHECK on /healthz: " + healthchecks);
        List<String> entrypoints = matches(joined, "(?m)^ENTRYPOINT\\s+(.+)$");
        expect(problems, entrypoints.size() == 1 && entrypoints.get(0).trim().startsWith("[\"java\""), dockerfile,
                "ENTRYPOINT must be exec form starting with java (SIGTERM reaches the JVM): " + entrypoints);
        expect(problems, joined.contains("-XX:+ExitOnOutOfMemoryError"), dockerfile,
                "lacks -XX:+ExitOnOutOfMemoryError");
        expect(problems, joined.contains("-XX:MaxRAMPercentage="), dockerfile, "lacks -XX:MaxRAMPercentage");
        for (String env : matches(joined, "(?m)^ENV\\s+(.+)$")) {
            for (String name : matches(env, "(HOOKLINE_[A-Z0-9_]+)=")) {
                expect(problems, services.values().stream().anyMatch(s -> allowed(s, name)), dockerfile,
                        "sets " + name + ", which no service reads");
            }
        }
        assertThat(problems).as("Dockerfile problems").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ Kubernetes

    /** A pod-running object (Deployment, StatefulSet, DaemonSet) found in some manifest, complete or a patch. */
    record Workload(Path file, String kind, String name, Map<String, Object> podTemplate, Map<String, Object> container,
                    String module) {
        Map<String, Object> podSpec() {
            return map(podTemplate.get("spec"));
        }

        Map<String, Object> podLabels() {
            return map(map(podTemplate.get("metadata")).get("labels"));
        }

        boolean complete() {
            return container.get("image") != null;
        }

        List<Map<String, Object>> env() {
            return maps(container.get("env"));
        }

        List<String> configMapRefs() {
            List<String> out = new ArrayList<>();
            for (Map<String, Object> from : maps(container.get("envFrom"))) {
                Map<String, Object> ref = map(from.get("configMapRef"));
                if (ref.get("name") != null) {
                    out.add((String) ref.get("name"));
                }
            }
            return out;
        }

        String where() {
            return file.getFileName() + " " + kind + "/" + name;
        }
    }

    /** Every manifest under deploy/k8s, parsed: the documents, the workloads, and the ConfigMaps by name. */
    static final class Manifests {
        final List<Map.Entry<Path, Object>> documents = new ArrayList<>();
        final List<Workload> workloads = new ArrayList<>();
        final Map<String, List<Map.Entry<Path, Map<String, Object>>>> configMaps = new LinkedHashMap<>();

        List<Map<String, Object>> ofKind(String kind) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Map.Entry<Path, Object> d : documents) {
                if (d.getValue() instanceof Map<?, ?> m && kind.equals(m.get("kind"))) {
                    out.add(map(m));
                }
            }
            return out;
        }

        Path fileOf(Map<String, Object> doc) {
            return documents.stream().filter(d -> d.getValue() == doc).map(Map.Entry::getKey).findFirst().orElseThrow();
        }

        /** The workloads with an image that names a service module (the others are reported, not checked). */
        List<Workload> complete() {
            return workloads.stream().filter(w -> w.complete() && w.module() != null).toList();
        }

        Workload workload(String name) {
            return complete().stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
        }

        /** Every value a variable gets in a workload: its env, and every ConfigMap it loads (base and overlays). */
        Set<String> values(Workload w, String variable) {
            Set<String> out = new LinkedHashSet<>();
            for (Workload part : workloads) {
                if (part.name().equals(w.name())) {
                    for (Map<String, Object> e : part.env()) {
                        if (variable.equals(e.get("name")) && e.get("value") != null) {
                            out.add(String.valueOf(e.get("value")));
                        }
                    }
                }
            }
            for (String ref : w.configMapRefs()) {
                for (Map.Entry<Path, Map<String, Object>> cm : configMaps.getOrDefault(ref, List.of())) {
                    Object v = cm.getValue().get(variable);
                    if (v != null && !String.valueOf(v).isBlank()) {
                        out.add(String.valueOf(v));
                    }
                }
            }
            return out;
        }

        Set<String> names(Workload w) {
            Set<String> out = new TreeSet<>();
            for (Workload part : workloads) {
                if (part.name().equals(w.name())) {
                    part.env().forEach(e -> out.add(String.valueOf(e.get("name"))));
                }
            }
            for (String ref : w.configMapRefs()) {
                configMaps.getOrDefault(ref, List.of()).forEach(cm -> out.addAll(cm.getValue().keySet()));
            }
            return out;
        }
    }

    private static Manifests kubernetes() throws IOException {
        Manifests manifests = new Manifests();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root.resolve("deploy/k8s"))) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).as("manifests under deploy/k8s").isNotEmpty();
        for (Path file : files) {
            for (Object doc : loadAll(file)) {
                if (doc != null) {
                    manifests.documents.add(Map.entry(file, doc));
                }
            }
        }
        Map<String, String> moduleByName = new LinkedHashMap<>();
        List<Workload> all = new ArrayList<>();
        for (Map.Entry<Path, Object> d : manifests.documents) {
            if (!(d.getValue() instanceof Map<?, ?> raw)) {
                continue;
            }
            Map<String, Object> doc = map(raw);
            String kind = (String) doc.get("kind");
            String name = (String) map(doc.get("metadata")).get("name");
            if ("ConfigMap".equals(kind)) {
                manifests.configMaps.computeIfAbsent(name, n -> new ArrayList<>())
                        .add(Map.entry(d.getKey(), map(doc.get("data"))));
            } else if ("Kustomization".equals(kind) || "Component".equals(kind)) {
                for (Map<String, Object> generator : maps(doc.get("configMapGenerator"))) {
                    Map<String, Object> data = new LinkedHashMap<>();
                    for (Object literal : list(generator.get("literals"))) {
                        String[] kv = String.valueOf(literal).split("=", 2);
                        data.put(kv[0], kv.length > 1 ? kv[1] : "");
                    }
                    manifests.configMaps.computeIfAbsent((String) generator.get("name"), n -> new ArrayList<>())
                            .add(Map.entry(d.getKey(), data));
                }
            } else if (Set.of("Deployment", "StatefulSet", "DaemonSet").contains(kind)) {
                Map<String, Object> template = map(map(doc.get("spec")).get("template"));
                for (Map<String, Object> container : maps(map(template.get("spec")).get("containers"))) {
                    String module = moduleOfImage((String) container.get("image"));
                    if (module != null) {
                        moduleByName.put(name, module);
                    }
                    all.add(new Workload(d.getKey(), kind, name, template, container, module));
                }
            }
        }
        for (Workload w : all) {
            String module = w.module() != null ? w.module() : moduleByName.get(w.name());
            manifests.workloads.add(new Workload(w.file(), w.kind(), w.name(), w.podTemplate(), w.container(), module));
        }
        return manifests;
    }

    @Test
    void kubernetesWorkloadsRunRealModulesWithTheVariablesPortsAndProbesTheyRead() throws IOException {
        Manifests k8s = kubernetes();
        List<String> problems = new ArrayList<>();
        Set<String> missingModules = new TreeSet<>(SERVICE_CONFIGS.keySet());
        k8s.complete().forEach(w -> missingModules.remove(w.module()));
        expect(problems, missingModules.isEmpty(), root.resolve("deploy/k8s"), "no workload runs " + missingModules);

        for (Workload w : k8s.workloads) {
            if (w.module() == null) {
                problems.add(w.where() + ": image " + w.container().get("image") + " names no service module ("
                        + SERVICE_CONFIGS.keySet() + ")");
                continue;
            }
            ServiceEnv service = services.get(w.module());
            for (Map<String, Object> e : w.env()) {
                String name = String.valueOf(e.get("name"));
                if (name.startsWith("HOOKLINE_") && !allowed(service, name)) {
                    problems.add(w.where() + ": sets " + name + ", which " + w.module() + " does not read");
                }
            }
        }
        // JSON patches (components) that add variables to every Deployment: each must be read by every service.
        for (Map.Entry<Path, Object> d : k8s.documents) {
            if (d.getValue() instanceof List<?> ops) {
                for (Object op : ops) {
                    Map<String, Object> value = map(map(op).get("value"));
                    if (String.valueOf(map(op).get("path")).contains("/env/")
                            && value.get("name") instanceof String name
                            && name.startsWith("HOOKLINE_")) {
                        for (ServiceEnv service : services.values()) {
                            expect(problems, allowed(service, name), d.getKey(),
                                    "adds " + name + ", which " + service.module() + " does not read");
                        }
                    }
                }
            }
        }
        // ConfigMaps: each one a workload loads may only hold variables that workload's service reads.
        Set<String> loaded = new TreeSet<>();
        for (Workload w : k8s.complete()) {
            for (String ref : w.configMapRefs()) {
                loaded.add(ref);
                for (Map.Entry<Path, Map<String, Object>> cm : k8s.configMaps.getOrDefault(ref, List.of())) {
                    for (String name : cm.getValue().keySet()) {
                        if (name.startsWith("HOOKLINE_") && !allowed(services.get(w.module()), name)) {
                            problems.add(cm.getKey().getFileName() + " ConfigMap/" + ref + ": " + name
                                    + " is loaded by " + w.name() + ", but " + w.module() + " does not read it");
                        }
                    }
                }
                expect(problems, k8s.configMaps.containsKey(ref), w.file(), w.name() + " loads ConfigMap " + ref
                        + ", which no manifest defines");
            }
        }
        k8s.configMaps.forEach((name, defs) -> defs.forEach(cm -> {
            boolean hookline = cm.getValue().keySet().stream().anyMatch(k -> k.startsWith("HOOKLINE_"));
            expect(problems, !hookline || loaded.contains(name), cm.getKey(),
                    "ConfigMap " + name + " holds HOOKLINE_* variables but no workload loads it");
        }));

        for (Workload w : k8s.complete()) {
            ServiceEnv service = services.get(w.module());
            String where = w.where();
            Set<String> missing = new TreeSet<>(service.required());
            missing.removeAll(k8s.names(w));
            expect(problems, missing.isEmpty(), w.file(), w.name() + " does not set the required " + missing);

            int port = expectedPort(service, k8s.values(w, "HOOKLINE_HTTP_PORT"), problems, where);
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (Map<String, Object> p : maps(w.container().get("ports"))) {
                ports.put(String.valueOf(p.get("name")), (Integer) p.get("containerPort"));
            }
            expect(problems, Objects.equals(ports.get("http"), port), w.file(),
                    w.name() + ": container port 'http' is " + ports.get("http") + ", " + w.module()
                            + " listens on " + port);
            checkProbe(problems, w, "readinessProbe", Set.of("/readyz"), ports, port, true);
            checkProbe(problems, w, "livenessProbe", Set.of("/healthz"), ports, port, true);
            checkProbe(problems, w, "startupProbe", Set.of("/healthz", "/readyz"), ports, port, false);

            Map<String, Object> resources = map(w.container().get("resources"));
            for (String section : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    expect(problems, map(resources.get(section)).get(resource) != null, w.file(),
                            w.name() + " sets no " + section + "." + resource);
                }
            }
            Map<String, Object> podSecurity = map(w.podSpec().get("securityContext"));
            expect(problems, Boolean.TRUE.equals(podSecurity.get("runAsNonRoot"))
                    && podSecurity.get("runAsUser") instanceof Integer uid && uid > 0, w.file(),
                    w.name() + " must run as a numeric non-root user");

            Duration needed = drainDeadline(k8s, w, preStopSeconds(w.container()));
            Object grace = w.podSpec().get("terminationGracePeriodSeconds");
            expect(problems, grace instanceof Integer, w.file(), w.name() + " sets no terminationGracePeriodSeconds");
            if (grace instanceof Integer seconds) {
                expect(problems, seconds >= needed.toSeconds() && seconds <= needed.toSeconds() + 30, w.file(),
                        w.name() + ": terminationGracePeriodSeconds " + seconds + " does not match its drain"
                                + " deadline of " + needed.toSeconds() + " s (allowed: up to 30 s more)");
            }
        }
        assertThat(problems).as("Kubernetes manifest problems").isEmpty();
    }

    @Test
    void kubernetesServicesDisruptionBudgetsAndAutoscalersPointAtTheRightWorkloads() throws IOException {
        Manifests k8s = kubernetes();
        List<String> problems = new ArrayList<>();

        for (Map<String, Object> svc : k8s.ofKind("Service")) {
            Path file = k8s.fileOf(svc);
            Map<String, Object> spec = map(svc.get("spec"));
            Workload target = selected(k8s, map(spec.get("selector")));
            expect(problems, target != null, file, "Service " + name(svc) + " selects no workload");
            if (target != null) {
                int port = expectedPort(services.get(target.module()), k8s.values(target, "HOOKLINE_HTTP_PORT"),
                        problems, name(svc));
                for (Map<String, Object> p : maps(spec.get("ports"))) {
                    Object targetPort = p.get("targetPort");
                    expect(problems, "http".equals(targetPort) || Integer.valueOf(port).equals(targetPort), file,
                            "Service " + name(svc) + " targets port " + targetPort + ", " + target.module()
                            + " listens on " + port);
                }
            }
        }
        for (Workload w : k8s.complete()) {
            boolean budgeted = k8s.ofKind("PodDisruptionBudget").stream()
                    .anyMatch(pdb -> matchesLabels(map(map(map(pdb.get("spec")).get("selector")).get("matchLabels")),
                            w.podLabels()));
            expect(problems, budgeted, w.file(), w.name() + " has no PodDisruptionBudget");
        }

        List<Map<String, Object>> hpas = k8s.ofKind("HorizontalPodAutoscaler");
        expect(problems, hpas.stream().map(h -> k8s.workload(targetName(h))).anyMatch(w -> w != null
                && w.module().equals("ingest-gateway")), root.resolve("deploy/k8s"),
                        "no HorizontalPodAutoscaler for the gateway");
        for (Map<String, Object> hpa : hpas) {
            expect(problems, k8s.workload(targetName(hpa)) != null, k8s.fileOf(hpa),
                    "HPA " + name(hpa) + " targets " + targetName(hpa) + ", which is no workload");
        }

        List<Map<String, Object>> scaledObjects = k8s.ofKind("ScaledObject");
        expect(problems, !scaledObjects.isEmpty(), root.resolve("deploy/k8s"),
                "no KEDA ScaledObject for the dispatchers");
        Set<String> partitionValues = new TreeSet<>();
        for (Workload w : k8s.complete()) {
            if (services.get(w.module()).declares("HOOKLINE_DELIVERY_PARTITIONS")) {
                Set<String> v = k8s.values(w, "HOOKLINE_DELIVERY_PARTITIONS");
                partitionValues.addAll(v.isEmpty()
                        ? Set.of(Integer.toString(TopicProvisioner.DEFAULT_DELIVERY_PARTITIONS)) : v);
            }
        }
        expect(problems, partitionValues.size() == 1, root.resolve("deploy/k8s"),
                "the services disagree on HOOKLINE_DELIVERY_PARTITIONS: " + partitionValues);
        for (Map<String, Object> so : scaledObjects) {
            Path file = k8s.fileOf(so);
            Map<String, Object> spec = map(so.get("spec"));
            Workload target = k8s.workload(String.valueOf(map(spec.get("scaleTargetRef")).get("name")));
            expect(problems, target != null && target.module().equals("dispatcher"), file,
                    "ScaledObject " + name(so) + " does not target a dispatcher workload");
            if (target == null) {
                continue;
            }
            Set<String> stages = k8s.values(target, "HOOKLINE_DISPATCHER_STAGES");
            expect(problems, stages.isEmpty() || stages.stream().allMatch(s -> s.contains("delivery")), file,
                    "ScaledObject " + name(so) + " scales " + target.name()
                    + ", which does not run the delivery stage");
            Set<String> prefixes = k8s.values(target, "HOOKLINE_TOPIC_PREFIX");
            TopicNames names = new TopicNames(prefixes.isEmpty() ? TopicNames.DEFAULT_PREFIX
                    : prefixes.iterator().next());
            Set<String> bootstrap = k8s.values(target, "HOOKLINE_KAFKA_BOOTSTRAP_SERVERS");
            Object max = spec.get("maxReplicaCount");
            expect(problems, partitionValues.size() == 1
                    && String.valueOf(max).equals(partitionValues.iterator().next()),
                    file, "ScaledObject " + name(so) + ": maxReplicaCount " + max
                            + " is not the deliveries topic's partition count "
                            + partitionValues);
            List<Map<String, Object>> kafkaTriggers = maps(spec.get("triggers")).stream()
                    .filter(t -> "kafka".equals(t.get("type"))).toList();
            expect(problems, kafkaTriggers.size() == 1, file, "ScaledObject " + name(so) + " needs one kafka trigger");
            for (Map<String, Object> trigger : kafkaTriggers) {
                Map<String, Object> meta = map(trigger.get("metadata"));
                expect(problems, names.deliveries().equals(meta.get("topic")), file,
                        "KEDA trigger topic " + meta.get("topic") + " is not " + names.deliveries());
                expect(problems, names.deliveryGroupId().equals(meta.get("consumerGroup")), file,
                        "KEDA trigger consumerGroup " + meta.get("consumerGroup") + " is not "
                        + names.deliveryGroupId());
                expect(problems, bootstrap.contains(String.valueOf(meta.get("bootstrapServers"))), file,
                        "KEDA trigger bootstrapServers " + meta.get("bootstrapServers") + " is not the services' "
                        + bootstrap);
                expect(problems, !"true".equals(String.valueOf(meta.get("allowIdleConsumers"))), file,
                        "allowIdleConsumers would scale past the partition count");
            }
        }
        assertThat(problems).as("Kubernetes object problems").isEmpty();
    }

    @Test
    void kustomizationsReferToFilesThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> kustomizations;
        try (Stream<Path> walk = Files.walk(root.resolve("deploy/k8s"))) {
            kustomizations = walk.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
        assertThat(kustomizations).as("kustomizations").hasSizeGreaterThanOrEqualTo(2);
        for (Path file : kustomizations) {
            Map<String, Object> k = map(loadAll(file).get(0));
            List<Object> refs = new ArrayList<>();
            refs.addAll(list(k.get("resources")));
            refs.addAll(list(k.get("components")));
            maps(k.get("patches")).forEach(p -> {
                if (p.get("path") != null) {
                    refs.add(p.get("path"));
                }
            });
            for (Object ref : refs) {
                Path target = file.getParent().resolve(String.valueOf(ref)).normalize();
                expect(problems, Files.exists(target), file, "refers to " + ref + ", which does not exist");
            }
            for (Map<String, Object> generator : maps(k.get("secretGenerator"))) {
                for (Object f : list(generator.get("files"))) {
                    String path = String.valueOf(f).contains("=") ? String.valueOf(f).split("=", 2)[1]
                            : String.valueOf(f);
                    Path secrets = file.getParent().resolve("secrets");
                    expect(problems, file.getParent().resolve(path).normalize().startsWith(secrets),
                            file, "secret file " + path + " is outside the git-ignored secrets/ directory");
                }
            }
        }
        assertThat(problems).as("kustomization problems").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ compose

    @Test
    void composeRunsEveryServiceWithTheVariablesPortsAndHealthChecksItReads() throws IOException {
        Path file = root.resolve("docker-compose.yml");
        Map<String, Object> compose = map(loadAll(file).get(0));
        Map<String, Object> composeServices = map(compose.get("services"));
        Set<String> volumes = map(compose.get("volumes")).keySet();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> dispatchers = new LinkedHashMap<>();
        Set<String> modulesRun = new TreeSet<>();

        for (Map.Entry<String, Object> entry : composeServices.entrySet()) {
            String name = entry.getKey();
            Map<String, Object> svc = map(entry.getValue());
            String module = moduleOfCompose(svc);
            for (Map.Entry<String, Object> dep : map(svc.get("depends_on")).entrySet()) {
                expect(problems, "service_healthy".equals(map(dep.getValue()).get("condition")), file,
                        name + " depends on " + dep.getKey() + " without condition: service_healthy");
                expect(problems, map(composeServices.get(dep.getKey())).get("healthcheck") != null, file,
                        name + " waits for " + dep.getKey() + ", which has no healthcheck");
            }
            for (Object v : list(svc.get("volumes"))) {
                String source = String.valueOf(v).split(":")[0];
                if (source.startsWith(".")) {
                    expect(problems, Files.exists(root.resolve(source).normalize()), file,
                            name + " mounts " + source + ", which does not exist");
                } else {
                    expect(problems, volumes.contains(source), file, name + " mounts " + source
                            + ", which is no named volume");
                }
            }
            if (module == null) {
                continue;
            }
            modulesRun.add(module);
            ServiceEnv service = services.get(module);
            Map<String, String> env = composeEnvironment(svc.get("environment"));
            for (String variable : env.keySet()) {
                expect(problems, !variable.startsWith("HOOKLINE_") || allowed(service, variable), file,
                        name + " sets " + variable + ", which " + module + " does not read");
            }
            Set<String> missing = new TreeSet<>(service.required());
            missing.removeAll(env.keySet());
            expect(problems, missing.isEmpty(), file, name + " does not set the required " + missing);
            int port = expectedPort(service, env.containsKey("HOOKLINE_HTTP_PORT")
                    ? Set.of(env.get("HOOKLINE_HTTP_PORT"))
                    : Set.of(), problems, name);
            for (Object p : list(svc.get("ports"))) {
                String[] parts = String.valueOf(p).split(":");
                expect(problems, parts[parts.length - 1].equals(Integer.toString(port)), file,
                        name + " publishes container port " + parts[parts.length - 1] + ", " + module + " listens on "
                                + port);
            }
            String health = String.valueOf(map(svc.get("healthcheck")).get("test"));
            expect(problems, health.matches(".*127\\.0\\.0\\.1:" + port + "/(healthz|readyz).*"), file,
                    name + " health check " + health + " does not call /healthz or /readyz on port " + port);
            Map<String, Object> build = map(svc.get("build"));
            expect(problems, "deploy/docker/Dockerfile".equals(build.get("dockerfile"))
                    && Files.exists(root.resolve(String.valueOf(build.get("context")))
                            .resolve("deploy/docker/Dockerfile")), file,
                    name + " is not built from deploy/docker/Dockerfile");
            Duration needed = drainDeadline(service, env, Duration.ZERO);
            Duration grace = composeDuration(String.valueOf(svc.get("stop_grace_period")));
            expect(problems, grace.compareTo(needed) >= 0, file, name + ": stop_grace_period "
                    + svc.get("stop_grace_period")
                    + " is shorter than its drain deadline of " + needed.toSeconds() + " s");
            if (module.equals("dispatcher")) {
                dispatchers.put(name, port);
            }
        }
        assertThat(modulesRun).as("service modules run by docker-compose.yml").containsAll(SERVICE_CONFIGS.keySet());
        assertThat(dispatchers).as("dispatchers in docker-compose.yml").hasSizeGreaterThanOrEqualTo(2);

        String kafkaImage = String.valueOf(map(composeServices.get("kafka")).get("image"));
        Matcher kafka = Pattern.compile("apache/kafka:(\\d+)\\.(\\d+)\\.\\d+").matcher(kafkaImage);
        expect(problems, kafka.matches() && (Integer.parseInt(kafka.group(1)) * 100
                + Integer.parseInt(kafka.group(2))) >= 401,
                file, "Kafka must be the official apache/kafka image, 4.1.0 or newer: " + kafkaImage);
        Map<String, String> kafkaEnv = composeEnvironment(map(composeServices.get("kafka")).get("environment"));
        expect(problems, String.valueOf(kafkaEnv.get("KAFKA_PROCESS_ROLES")).contains("controller"), file,
                "Kafka does not run in KRaft mode (KAFKA_PROCESS_ROLES)");
        String postgresImage = String.valueOf(map(composeServices.get("postgres")).get("image"));
        expect(problems, postgresImage.matches("postgres:18(\\..*)?"),
                file, "PostgreSQL must be version 18");
        assertThat(problems).as("docker-compose.yml problems").isEmpty();
    }

    @Test
    void composeEnvExampleSetsTheVariablesComposeNeeds() throws IOException {
        Path example = root.resolve("deploy/compose.env.example");
        Set<String> defined = new TreeSet<>();
        for (String line : Files.readAllLines(example)) {
            Matcher m = Pattern.compile("^([A-Z_][A-Z0-9_]*)=").matcher(line);
            if (m.find()) {
                defined.add(m.group(1));
            }
        }
        String compose = Files.readString(root.resolve("docker-compose.yml"));
        Set<String> required = new TreeSet<>(matches(compose, "\\$\\{([A-Z_][A-Z0-9_]*):\\?"));
        assertThat(required).as("variables docker-compose.yml requires").contains("HOOKLINE_ADMIN_KEY",
                "HOOKLINE_SECRET_KEY");
        assertThat(defined).as("variables in %s", example).containsAll(required);
    }

    @Test
    void prometheusScrapesEveryHooklineServiceOfTheComposeFile() throws IOException {
        Path file = root.resolve("deploy/observability/prometheus/prometheus.yml");
        Map<String, Object> prometheus = map(loadAll(file).get(0));
        Map<String, Object> composeServices =
                map(map(loadAll(root.resolve("docker-compose.yml")).get(0)).get("services"));
        Set<String> targets = new TreeSet<>();
        for (Map<String, Object> job : maps(prometheus.get("scrape_configs"))) {
            for (Map<String, Object> sc : maps(job.get("static_configs"))) {
                list(sc.get("targets")).forEach(t -> targets.add(String.valueOf(t)));
            }
        }
        Set<String> expected = new TreeSet<>();
        composeServices.forEach((name, svc) -> {
            String module = moduleOfCompose(map(svc));
            if (module != null) {
                expected.add(name + ":" + services.get(module).defaultPort());
            }
        });
        assertThat(targets).as("scrape targets of %s", file).containsAll(expected);
        assertThat(list(prometheus.get("rule_files"))).as("rule files").contains("/etc/prometheus/alerts.yml");
    }

    // ------------------------------------------------------------------------------------------------ metrics

    @Test
    void everyDashboardPanelQueriesAMetricTheCodeExports() throws IOException {
        Path file = root.resolve("deploy/observability/grafana/dashboards/hookline.json");
        JsonNode dashboard = Json.MAPPER.readTree(Files.readString(file));
        List<String> problems = new ArrayList<>();
        expect(problems, dashboard.path("uid").asText().matches("[a-zA-Z0-9_-]{1,40}"), file,
                "needs a uid of at most 40 characters");
        expect(problems, !dashboard.path("title").asText().isBlank(), file, "needs a title");
        expect(problems, dashboard.path("schemaVersion").asInt() >= 36, file, "schemaVersion below 36");
        boolean datasourceVariable = false;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            datasourceVariable |= variable.path("name").asText().equals("datasource")
                    && variable.path("type").asText().equals("datasource")
                    && variable.path("query").asText().equals("prometheus");
        }
        expect(problems, datasourceVariable, file, "needs a Prometheus data source variable named 'datasource'");

        // What Grafana's dashboard schema (v1, schemaVersion 36+) requires for the file to load as a dashboard.
        expect(problems, dashboard.path("panels").isArray() && dashboard.path("templating").path("list").isArray()
                && dashboard.path("annotations").path("list").isArray(), file,
                "panels, templating.list and annotations.list must be arrays");
        expect(problems, dashboard.path("time").path("from").isTextual() && dashboard.path("time").path("to")
                .isTextual(), file, "needs a time range (time.from, time.to)");
        expect(problems, dashboard.path("version").isInt() && dashboard.path("editable").isBoolean(), file,
                "version must be an integer and editable a boolean");

        Set<String> exported = exportedMetrics();
        Set<String> pending = pendingMetrics();
        Set<Integer> ids = new LinkedHashSet<>();
        Set<String> occupied = new LinkedHashSet<>(); // grid cells "x,y" of the panels, so none overlap
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            expect(problems, panel.path("id").isInt() && ids.add(panel.path("id").asInt()), file, "panel id "
                    + panel.path("id") + " is missing or used twice");
            expect(problems, GRAFANA_PANEL_TYPES.contains(panel.path("type").asText()), file, "panel '" + title
                    + "' has type '" + panel.path("type").asText() + "', not one of Grafana's built-in panels");
            JsonNode grid = panel.path("gridPos");
            expect(problems, grid.path("w").asInt() > 0 && grid.path("h").asInt() > 0
                    && grid.path("x").asInt() + grid.path("w").asInt() <= 24, file, "panel '" + title
                            + "' has a bad gridPos");
            for (int x = grid.path("x").asInt(); x < grid.path("x").asInt() + grid.path("w").asInt(); x++) {
                for (int y = grid.path("y").asInt(); y < grid.path("y").asInt() + grid.path("h").asInt(); y++) {
                    expect(problems, occupied.add(x + "," + y), file, "panel '" + title + "' overlaps another at "
                            + x + "," + y);
                }
            }
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            Set<String> refIds = new LinkedHashSet<>();
            for (JsonNode target : panel.path("targets")) {
                expect(problems, target.path("refId").asText().matches("[A-Z]") && refIds.add(target.path("refId")
                        .asText()), file, "panel '" + title + "' has a missing or repeated query refId");
            }
            expect(problems, panel.path("datasource").path("uid").asText().equals("${datasource}"), file,
                    "panel '" + title + "' does not use the data source variable");
            expect(problems, panel.path("targets").size() > 0, file, "panel '" + title + "' has no query");
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                Set<String> metrics = metricNames(expr);
                expect(problems, !metrics.isEmpty(), file, "panel '" + title + "' queries no metric: " + expr);
                for (String metric : metrics) {
                    queries++;
                    expect(problems, exported.contains(metric) || pending.contains(metric), file, "panel '" + title
                            + "' queries " + metric
                            + ", which the code does not export and docs/metrics.md does not list"
                            + " as expected");
                }
            }
        }
        assertThat(queries).as("metric references in the dashboard").isGreaterThan(20);
        assertThat(problems).as("dashboard problems").isEmpty();
    }

    @Test
    void everyAlertRuleQueriesAMetricTheCodeExports() throws IOException {
        Path file = root.resolve("deploy/observability/prometheus/alerts.yml");
        Map<String, Object> rules = map(loadAll(file).get(0));
        Set<String> exported = exportedMetrics();
        Set<String> pending = pendingMetrics();
        List<String> problems = new ArrayList<>();
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : maps(rules.get("groups"))) {
            for (Map<String, Object> rule : maps(group.get("rules"))) {
                alerts.add(String.valueOf(rule.get("alert")));
                for (String metric : metricNames(String.valueOf(rule.get("expr")))) {
                    expect(problems, exported.contains(metric) || pending.contains(metric), file,
                            rule.get("alert") + " queries " + metric + ", which the code does not export and "
                                    + "docs/metrics.md does not list as expected");
                }
            }
        }
        assertThat(alerts).as("alerts").contains("HooklineConsumerLagGrowing", "HooklineDeadLettersGrowing",
                "HooklineCircuitBreakerOpenLong", "HooklineGatewayUnavailable");
        assertThat(problems).as("alert rule problems").isEmpty();
    }

    @Test
    void metricsDocumentListsEveryMetricTheCodeRegisters() throws IOException {
        Path doc = root.resolve("docs/metrics.md");
        String text = Files.readString(doc);
        String emittedSection = section(text, "## Emitted by the code");
        Set<String> documented = new TreeSet<>(matches(emittedSection, "(?m)^\\|\\s*`([a-z0-9_]+)`"));
        Set<String> families = hooklineFamilies();
        assertThat(families).as("metric families registered in the code").isNotEmpty();
        Set<String> undocumented = new TreeSet<>(families);
        undocumented.removeAll(documented);
        assertThat(undocumented).as("metrics the code registers that %s does not list (add a row to its table)", doc)
                .isEmpty();
        Set<String> stale = new TreeSet<>(documented);
        stale.removeAll(families);
        assertThat(stale).as("metrics %s lists as emitted that the code does not register", doc).isEmpty();
        Set<String> nowEmitted = new TreeSet<>(pendingMetrics());
        nowEmitted.retainAll(exportedMetrics());
        assertThat(nowEmitted).as("metrics %s lists as not emitted yet that the code now registers (move them to the"
                + " first table)", doc).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static boolean allowed(ServiceEnv service, String variable) {
        if (service.declares(variable)) {
            return true;
        }
        if (variable.startsWith(PASS_THROUGH) && variable.length() > PASS_THROUGH.length()) {
            String property = variable.substring(PASS_THROUGH.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            return kafkaClientProperties.contains(property);
        }
        return false;
    }

    private static int expectedPort(ServiceEnv service, Set<String> overrides, List<String> problems, String where) {
        if (overrides.size() > 1) {
            problems.add(where + ": HOOKLINE_HTTP_PORT has several values " + overrides);
        }
        return overrides.isEmpty() ? service.defaultPort() : Integer.parseInt(overrides.iterator().next());
    }

    private static void checkProbe(List<String> problems, Workload w, String probe, Set<String> paths,
                                   Map<String, Integer> ports, int port, boolean mandatory) {
        Map<String, Object> spec = map(w.container().get(probe));
        if (spec.isEmpty()) {
            expect(problems, !mandatory, w.file(), w.name() + " has no " + probe);
            return;
        }
        Map<String, Object> get = map(spec.get("httpGet"));
        Object p = get.get("port");
        Integer resolved = p instanceof Integer n ? n : ports.get(String.valueOf(p));
        expect(problems, paths.contains(String.valueOf(get.get("path"))) && Objects.equals(resolved, port), w.file(),
                w.name() + ": " + probe + " calls " + get.get("path") + " on port " + p + "; expected " + paths
                        + " on " + port);
    }

    private static int preStopSeconds(Map<String, Object> container) {
        Map<String, Object> preStop = map(map(container.get("lifecycle")).get("preStop"));
        List<Object> command = list(map(preStop.get("exec")).get("command"));
        if (command.size() == 2 && "sleep".equals(command.get(0))) {
            return Integer.parseInt(String.valueOf(command.get(1)));
        }
        Object sleep = map(preStop.get("sleep")).get("seconds");
        return sleep == null ? 0 : Integer.parseInt(String.valueOf(sleep));
    }

    /** How long a workload may take to stop: the pre-stop pause plus every shutdown deadline in its close path. */
    private static Duration drainDeadline(Manifests k8s, Workload w, int preStop) {
        ServiceEnv service = services.get(w.module());
        Map<String, String> env = new LinkedHashMap<>();
        for (String variable : service.keys().keySet()) {
            Set<String> values = k8s.values(w, variable);
            if (!values.isEmpty()) {
                env.put(variable, values.stream().max(Comparator.comparing(DeployManifestsTest::durationOrZero))
                        .orElseThrow());
            }
        }
        return drainDeadline(service, env, Duration.ofSeconds(preStop));
    }

    private static Duration drainDeadline(ServiceEnv service, Map<String, String> env, Duration preStop) {
        Duration httpDrain = HttpServer.Settings.defaults(service.module(), 0).drainTimeout();
        Duration total = preStop;
        switch (service.module()) {
            case "ingest-gateway" -> {
                // GatewayService.close(): the HTTP drain, then the producer's close; each bounded by SHUTDOWN_TIMEOUT.
                Duration shutdown = setting(service, env, "HOOKLINE_SHUTDOWN_TIMEOUT");
                total = total.plus(shutdown).plus(shutdown);
            }
            case "dispatcher" -> {
                String stages = env.getOrDefault("HOOKLINE_DISPATCHER_STAGES",
                        service.defaultOf("HOOKLINE_DISPATCHER_STAGES"));
                total = total.plus(httpDrain);
                if (stages.contains("delivery")) {
                    total = total.plus(setting(service, env, "HOOKLINE_DELIVERY_SHUTDOWN_TIMEOUT"));
                }
                if (stages.contains("fanout")) {
                    total = total.plus(FAN_OUT_CLOSE);
                }
            }
            default -> total = total.plus(httpDrain);
        }
        return total;
    }

    private static Duration setting(ServiceEnv service, Map<String, String> env, String variable) {
        return ConfigDef.parseDuration(env.getOrDefault(variable, service.defaultOf(variable)));
    }

    private static Duration durationOrZero(String value) {
        try {
            return ConfigDef.parseDuration(value);
        } catch (IllegalArgumentException e) {
            return Duration.ZERO;
        }
    }

    private static Duration composeDuration(String value) {
        Matcher m = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(value);
        Duration total = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return total;
    }

    private static Workload selected(Manifests k8s, Map<String, Object> selector) {
        return k8s.complete().stream().filter(w -> matchesLabels(selector, w.podLabels())).findFirst().orElse(null);
    }

    private static boolean matchesLabels(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()),
                e.getValue()));
    }

    private static String targetName(Map<String, Object> scaler) {
        return String.valueOf(map(map(scaler.get("spec")).get("scaleTargetRef")).get("name"));
    }

    private static String name(Map<String, Object> doc) {
        return String.valueOf(map(doc.get("metadata")).get("name"));
    }

    /** {@code registry.example.com/hookline/ingest-gateway:0.1.0} → {@code ingest-gateway}, if a service module. */
    private static String moduleOfImage(String image) {
        if (image == null) {
            return null;
        }
        String repository = image.split("@")[0];
        int slash = repository.lastIndexOf('/');
        int colon = repository.lastIndexOf(':');
        String last = repository.substring(slash + 1, colon > slash ? colon : repository.length());
        return SERVICE_CONFIGS.containsKey(last) ? last : null;
    }

    private static String moduleOfCompose(Map<String, Object> svc) {
        Object arg = map(map(svc.get("build")).get("args")).get("MODULE");
        if (arg != null) {
            assertThat(SERVICE_CONFIGS).as("build arg MODULE").containsKey(String.valueOf(arg));
            return String.valueOf(arg);
        }
        return moduleOfImage((String) svc.get("image"));
    }

    private static Map<String, String> composeEnvironment(Object environment) {
        Map<String, String> out = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else {
            for (Object item : list(environment)) {
                String[] kv = String.valueOf(item).split("=", 2);
                out.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return out;
    }

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    /** The metric names a PromQL expression reads (strings, label matchers, ranges and grouping clauses removed). */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean function = next < s.length() && s.charAt(next) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1))
                    || s.charAt(m.start() - 1) == '.');
            if (!function && !partOfNumber && !PROMQL_WORDS.contains(m.group().toLowerCase(Locale.ROOT))) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** Names of the series and families the code's meters produce in Prometheus, plus the bound binders' meters. */
    private static Set<String> exportedMetrics() throws IOException {
        PrometheusMeterRegistry registry = registryOfTheCode(true);
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]")[0]);
            }
        }
        // The Kafka client binders create their meters only once a client has partitions: allow their families
        // when the code binds them.
        String sources = String.join("\n", sourcesOfTheServices().values());
        Set<String> out = new TreeSet<>(names);
        out.add("up"); // written by Prometheus itself for every target
        if (sources.contains("KafkaClientMetrics") || sources.contains("KafkaStreamsMetrics")) {
            out.add("kafka_consumer_fetch_manager_records_lag");
            out.add("kafka_consumer_fetch_manager_records_lag_max");
            out.add("kafka_consumer_fetch_manager_records_consumed_total");
        }
        return out;
    }

    /** The Hookline families (not the binders') registered in the code, as Prometheus names them. */
    private static Set<String> hooklineFamilies() throws IOException {
        PrometheusMeterRegistry registry = registryOfTheCode(false);
        Set<String> types = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                types.add(line.split(" ")[2]);
            }
        }
        return types.stream().filter(t -> !(t.endsWith("_max") && types.contains(t.substring(0, t.length() - 4))))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static final Pattern BUILDER = Pattern.compile(
            "\\b(Counter|FunctionCounter|Timer|FunctionTimer|LongTaskTimer|DistributionSummary|Gauge|TimeGauge)"
                    + "\\.builder\\(\\s*\"([a-zA-Z0-9_.]+)\"");
    private static final Pattern SHORTHAND = Pattern.compile(
            "\\.(counter|timer|summary|gauge)\\(\\s*\"([a-zA-Z0-9_.]+)\"");

    /**
     * A registry holding one meter for every meter the services' main code registers, with the same type, name,
     * base unit and histogram settings, read from the source; with {@code binders}, the JVM binders the code binds.
     */
    private static PrometheusMeterRegistry registryOfTheCode(boolean binders) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "test");
        Map<Path, String> sources = sourcesOfTheServices();
        for (String source : sources.values()) {
            Matcher m = BUILDER.matcher(source);
            while (m.find()) {
                int end = source.indexOf(".register(", m.end());
                String chain = end < 0 ? "" : source.substring(m.end(), end);
                register(registry, m.group(1), m.group(2), chain);
            }
            Matcher s = SHORTHAND.matcher(source);
            while (s.find()) {
                String type = switch (s.group(1)) {
                    case "counter" -> "Counter";
                    case "timer" -> "Timer";
                    case "summary" -> "DistributionSummary";
                    default -> "Gauge";
                };
                register(registry, type, s.group(2), "");
            }
            if (binders) {
                if (source.contains("new JvmMemoryMetrics()")) {
                    new JvmMemoryMetrics().bindTo(registry);
                }
                if (source.contains("new JvmGcMetrics()")) {
                    try (JvmGcMetrics gc = new JvmGcMetrics()) {
                        gc.bindTo(registry);
                    }
                }
                if (source.contains("new JvmThreadMetrics()")) {
                    new JvmThreadMetrics().bindTo(registry);
                }
                if (source.contains("new ClassLoaderMetrics()")) {
                    new ClassLoaderMetrics().bindTo(registry);
                }
                if (source.contains("new ProcessorMetrics()")) {
                    new ProcessorMetrics().bindTo(registry);
                }
                if (source.contains("new UptimeMetrics()")) {
                    new UptimeMetrics().bindTo(registry);
                }
            }
        }
        return registry;
    }

    private static void register(PrometheusMeterRegistry registry, String type, String name, String chain) {
        boolean histogram = chain.contains("publishPercentileHistogram") || chain.contains("serviceLevelObjectives");
        boolean percentiles = chain.contains("publishPercentiles");
        Matcher unit = Pattern.compile("\\.baseUnit\\(\\s*\"([^\"]+)\"").matcher(chain);
        String baseUnit = unit.find() ? unit.group(1) : null;
        switch (type) {
            case "Counter", "FunctionCounter" ->
                    Counter.builder(name).baseUnit(baseUnit).register(registry).increment();
            case "Timer", "FunctionTimer" -> {
                Timer.Builder b = Timer.builder(name);
                if (histogram) {
                    b.publishPercentileHistogram();
                }
                if (percentiles) {
                    b.publishPercentiles(0.5, 0.99);
                }
                b.register(registry).record(Duration.ofMillis(1));
            }
            case "LongTaskTimer" -> LongTaskTimer.builder(name).register(registry);
            case "DistributionSummary" -> {
                DistributionSummary.Builder b = DistributionSummary.builder(name).baseUnit(baseUnit);
                if (histogram) {
                    b.publishPercentileHistogram();
                }
                if (percentiles) {
                    b.publishPercentiles(0.5, 0.99);
                }
                b.register(registry).record(1);
            }
            case "TimeGauge" -> Gauge.builder(name, () -> 1.0).baseUnit("seconds").register(registry);
            default -> Gauge.builder(name, () -> 1.0).baseUnit(baseUnit).register(registry);
        }
    }

    private static Map<Path, String> sourcesOfTheServices() throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        List<String> modules = new ArrayList<>(SERVICE_CONFIGS.keySet());
        modules.add("common");
        for (String module : modules) {
            Path dir = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    out.put(p, Files.readString(p));
                }
            }
        }
        return out;
    }

    /** The metrics docs/metrics.md lists as expected by the dashboard or the alerts but not emitted yet. */
    private static Set<String> pendingMetrics() throws IOException {
        String text = Files.readString(root.resolve("docs/metrics.md"));
        return new TreeSet<>(matches(section(text, "## Expected by the dashboard and alerts, not emitted yet"),
                "(?m)^\\|\\s*`([a-z0-9_]+)`"));
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading);
        assertThat(start).as("docs/metrics.md has a section '%s'", heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + heading.length());
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private static ConfigDef configDefOf(Class<?> type) throws IllegalAccessException {
        // The services declare their settings in one static ConfigDef (public DEFINITION, or private DEF).
        List<Field> fields = Arrays.stream(type.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigDef.class).toList();
        assertThat(fields).as("static ConfigDef fields of %s", type.getName()).hasSize(1);
        Field field = fields.get(0);
        field.setAccessible(true);
        return (ConfigDef) field.get(null);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("docker-compose.yml"))
                && Files.isDirectory(dir.resolve("deploy")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root (with docker-compose.yml and deploy/) above the working directory")
                .isNotNull();
        return dir;
    }

    private static List<Object> loadAll(Path file) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Object> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            yaml.loadAll(reader).forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
        return out;
    }

    private static List<String> matches(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static void expect(List<String> problems, boolean condition, Path file, String problem) {
        if (!condition) {
            problems.add(root.relativize(file) + ": " + problem);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    private static List<Map<String, Object>> maps(Object o) {
        return list(o).stream().map(DeployManifestsTest::map).toList();
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> orderedMap(Object... keysAndValues) {
        Map<K, V> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((K) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return out;
    }
}
