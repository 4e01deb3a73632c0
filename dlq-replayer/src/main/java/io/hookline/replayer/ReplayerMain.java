package io.hookline.replayer;

import io.hookline.common.service.ServiceLauncher;

/** Runs the dlq-replayer as its own process, configured by {@code HOOKLINE_*} environment variables. */
public final class ReplayerMain {
    private ReplayerMain() {
    }

    public static void main(String[] args) {
        ServiceLauncher.run("hookline-dlq-replayer", "the dead-letter index and replay API", ReplayerConfig.DEFINITION, args,
                () -> ReplayerService.start(ReplayerConfig.from(System.getenv())));
    }
}
