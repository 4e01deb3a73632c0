package io.hookline.standalone;

import io.hookline.common.service.ServiceLauncher;

/** {@code java -jar hookline-standalone.jar}: everything on one machine, data under {@code ./data}. */
public final class StandaloneMain {
    private StandaloneMain() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run("hookline-standalone", () -> {
            long start = System.nanoTime();
            StandaloneConfig config = StandaloneConfig.from(System.getenv());
            Standalone standalone = Standalone.start(config);
            String host = config.httpHost().equals("0.0.0.0") ? "localhost" : config.httpHost();
            System.out.printf("""

                    Hookline standalone is ready (%d ms). Data: %s
                      ingest gateway   http://%s:%d
                      registrar        http://%s:%d
                      dispatcher       http://%s:%d   (health and metrics)
                      dlq-replayer     http://%s:%d
                      Kafka            %s
                      admin key        %s
                    Webhook destinations on loopback are allowed (HOOKLINE_ALLOWED_NETWORKS=%s).
                    Stop with Ctrl-C.
                    %n""",
                    (System.nanoTime() - start) / 1_000_000, config.dataDir(),
                    host, standalone.gatewayPort(), host, standalone.registrarPort(),
                    host, standalone.dispatcherPort(), host, standalone.replayerPort(),
                    standalone.bootstrapServers(), standalone.adminKey(), String.join(",", config.allowedNetworks()));
            return standalone;
        });
    }
}
