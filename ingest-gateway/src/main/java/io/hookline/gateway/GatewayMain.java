package io.hookline.gateway;

import io.hookline.common.service.ServiceLauncher;

/** Runs the ingest gateway configured by {@code HOOKLINE_*} environment variables (see {@link GatewayConfig}). */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("hookline-ingest-gateway: environment variables\n\n" + GatewayConfig.DEFINITION.describe()
                    + "HOOKLINE_KAFKA_<PROPERTY>\n    Any Kafka client property, e.g. HOOKLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL;"
                    + " acks and idempotence cannot be weakened.");
            return;
        }
        ServiceLauncher.run(GatewayService.SERVICE, () -> GatewayService.start(GatewayConfig.from(System.getenv())));
    }
}
