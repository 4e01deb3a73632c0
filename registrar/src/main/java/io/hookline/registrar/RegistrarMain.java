package io.hookline.registrar;

import io.hookline.common.service.ServiceLauncher;

/** {@code java -jar hookline-registrar.jar}: configured by {@code HOOKLINE_*} environment variables. */
public final class RegistrarMain {
    private RegistrarMain() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run("hookline-registrar", "the management API (API keys, topics, subscriptions)",
                RegistrarConfig.DEFINITION, args,
                () -> RegistrarService.start(RegistrarConfig.from(System.getenv())));
    }
}
