package io.hookline.gateway;

import io.hookline.common.service.ServiceLauncher;

/** Runs the ingest gateway configured by {@code HOOKLINE_*} environment variables (see {@link GatewayConfig}). */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run(GatewayService.SERVICE, "the publish API", GatewayConfig.DEFINITION, args,
                () -> GatewayService.start(GatewayConfig.from(System.getenv())));
    }
}
