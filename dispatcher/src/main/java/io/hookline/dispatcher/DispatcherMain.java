package io.hookline.dispatcher;

import io.hookline.common.service.ServiceLauncher;

/** Runs the dispatcher as its own process, configured by {@code HOOKLINE_*} environment variables. */
public final class DispatcherMain {
    private DispatcherMain() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run("hookline-dispatcher", "fan-out and delivery of Hookline events", DispatcherConfig.DEFINITION,
                args, () -> DispatcherService.start(DispatcherConfig.from(System.getenv())));
    }
}
