package io.hookline.common.net;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DestinationPolicyPropertiesTest {
    private final DestinationPolicy strict = DestinationPolicy.of(List.of());

    @Property
    void everyLoopbackAddressIsRefusedInEveryNotation(@ForAll @IntRange(min = 0, max = 255) int b,
                                                     @ForAll @IntRange(min = 0, max = 255) int c,
                                                     @ForAll @IntRange(min = 0, max = 255) int d) throws Exception {
        String quad = "127." + b + "." + c + "." + d;
        assertThatThrownBy(() -> strict.checkUrl("http://" + quad + "/")).isInstanceOf(DestinationRejectedException.class);
        assertThatThrownBy(() -> strict.checkUrl("http://[::ffff:" + quad + "]/"))
                .isInstanceOf(DestinationRejectedException.class);
        long decimal = (127L << 24) | ((long) b << 16) | ((long) c << 8) | d;
        assertThatThrownBy(() -> strict.checkUrl("http://" + decimal + "/")).isInstanceOf(DestinationRejectedException.class);
        assertThatThrownBy(() -> strict.checkAddress(InetAddress.getByName(quad)))
                .isInstanceOf(DestinationRejectedException.class);
    }

    @Property
    void arbitraryUrlsAreEitherAcceptedOrRejectedWithAReason(@ForAll String url) {
        try {
            strict.checkUrl(url);
        } catch (DestinationRejectedException expected) {
            // a reason is the only acceptable failure
        }
    }
}
