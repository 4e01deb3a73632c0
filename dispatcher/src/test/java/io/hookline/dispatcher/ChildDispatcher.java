package io.hookline.dispatcher;

import io.hookline.testkit.ServiceProcess;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** Dispatchers in their own JVMs, for the tests that kill or stop one for real. */
final class ChildDispatcher {
    private ChildDispatcher() {
    }

    static ServiceProcess start(Map<String, String> env, String name) throws IOException {
        return ServiceProcess.start("dispatcher", DispatcherMain.class, "-Xmx384m", env, name);
    }

    /** {@code env} with the Kafka client id set: the child's group members are then {@code <clientId>-delivery}... */
    static Map<String, String> withClientId(Map<String, String> env, String clientId) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("HOOKLINE_KAFKA_CLIENT_ID", clientId);
        return copy;
    }
}
