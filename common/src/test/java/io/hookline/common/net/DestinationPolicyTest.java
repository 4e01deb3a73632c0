package io.hookline.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DestinationPolicyTest {
    private final DestinationPolicy strict = DestinationPolicy.of(List.of());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1/hook | loopback",
            "http://127.1.2.3:8080/ | loopback",
            "http://[::1]/ | loopback",
            "http://[::ffff:127.0.0.1]/ | loopback",
            "http://[::ffff:7f00:1]/ | loopback",
            "http://10.1.2.3/ | private",
            "http://172.20.0.1/ | private",
            "http://192.168.1.1/ | private",
            "http://100.64.0.1/ | carrier-grade NAT",
            "http://169.254.169.254/latest/meta-data | metadata",
            "http://169.254.10.10/ | link-local",
            "http://[fe80::1]/ | link-local",
            "http://[fd00::1]/ | unique-local",
            "http://[fd00:ec2::254]/ | metadata",
            "http://224.0.0.1/ | multicast",
            "http://[ff02::1]/ | multicast",
            "http://0.0.0.0/ | unspecified",
            "http://[64:ff9b::a00:1]/ | private",
            "http://[2002:7f00:1::]/ | loopback",
            "http://2130706433/ | ambiguous numeric",
            "http://0177.0.0.1/ | ambiguous numeric",
            "http://0x7f.0.0.1/ | host",
            "http://127.1/ | host",
            "http://localhost/ | loopback",
            "ftp://example.com/ | http or https",
            "file:///etc/passwd | http or https",
            "http:/// | no valid host",
            "http://user:pw@93.184.216.34/ | credentials",
    })
    void refusesUnsafeDestinations(String url, String reason) {
        assertThatThrownBy(() -> strict.checkUrl(url))
                .isInstanceOf(DestinationRejectedException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.216.34/hooks", "http://8.8.8.8:8080/x", "https://[2606:4700::1111]/"})
    void acceptsPublicAddresses(String url) {
        assertThatCode(() -> strict.checkUrl(url)).doesNotThrowAnyException();
    }

    @Test
    void allowedNetworksOverrideTheBlockList() throws Exception {
        DestinationPolicy loopbackAllowed = DestinationPolicy.of(List.of("127.0.0.0/8", "::1/128"));
        assertThatCode(() -> loopbackAllowed.checkUrl("http://127.0.0.1:9000/hook")).doesNotThrowAnyException();
        assertThatCode(() -> loopbackAllowed.checkAddress(InetAddress.getByName("::1"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> loopbackAllowed.checkUrl("http://10.0.0.1/")).hasMessageContaining("private");
    }

    @Test
    void connectTimeCheckJudgesTheResolvedAddress() throws Exception {
        assertThatThrownBy(() -> strict.checkAddress(InetAddress.getByName("127.0.0.1")))
                .hasMessageContaining("loopback");
        assertThatCode(() -> strict.checkAddress(InetAddress.getByName("93.184.216.34"))).doesNotThrowAnyException();
    }

    @Test
    void badAllowedNetworksAreRejectedWithTheReason() {
        assertThatThrownBy(() -> DestinationPolicy.of(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> DestinationPolicy.of(List.of("example.com/8"))).hasMessageContaining("CIDR");
        assertThat(DestinationPolicy.of(List.of("10.0.0.0/8")).allowedNetworks()).hasSize(1);
    }
}
