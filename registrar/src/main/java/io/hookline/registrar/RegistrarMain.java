package io.hookline.registrar;

import io.hookline.common.service.ServiceLauncher;

/** {@code java -jar hookline-registrar.jar}: configured by {@code HOOKLINE_*} environment variables. */
public final class RegistrarMain {
    private RegistrarMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("hookline-registrar: the management API (topics, subscriptions, API keys)\n\n"
                    + "Environment variables:\n" + RegistrarConfig.describe());
            return;
        }
        ServiceLauncher.run("hookline-registrar", () -> RegistrarService.start(RegistrarConfig.from(System.getenv())));
    }
}
