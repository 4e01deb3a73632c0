package io.hookline.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayBenchTest {

    @Test
    void threadGroupsAreToldApartAsGatewayBrokerOrBenchmark() {
        assertThat(GatewayBench.sideOf("multithreadioeventloopgroup-#-#")).isEqualTo("gateway");
        assertThat(GatewayBench.sideOf("gateway-sender-#")).isEqualTo("gateway");
        assertThat(GatewayBench.sideOf("kafka-producer-network-thread | hookline-ingest-gateway-*"))
                .isEqualTo("gateway");
        assertThat(GatewayBench.sideOf("data-plane-kafka-request-handler-#")).isEqualTo("broker");
        assertThat(GatewayBench.sideOf("kafka-producer-network-thread | bench-raw-producer")).isEqualTo("benchmark");
        assertThat(GatewayBench.sideOf("main")).isEqualTo("benchmark");
    }
}
