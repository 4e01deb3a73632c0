package io.hookline.dispatcher;

import io.hookline.common.service.ServiceLauncher;

/** Runs the dispatcher as its own process, configured by {@code HOOKLINE_*} environment variables. */
public final class DispatcherMain {
    private DispatcherMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println("hookline-dispatcher: fan-out and delivery of Hookline events. Environment:\n");
            System.out.print(DispatcherConfig.describe());
            return;
        }
        ServiceLauncher.run("hookline-dispatcher", () -> DispatcherService.start(DispatcherConfig.from(System.getenv())));
    }
}
