package io.hookline.common.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicPatternTest {
    @Test
    void exactWildcardAndAll() {
        assertThat(TopicPattern.parse("invoices.paid").matches("invoices.paid")).isTrue();
        assertThat(TopicPattern.parse("invoices.paid").matches("invoices.paid.late")).isFalse();
        assertThat(TopicPattern.parse("orders.*").matches("orders.created")).isTrue();
        assertThat(TopicPattern.parse("orders.*").matches("orders.eu.created")).isTrue();
        assertThat(TopicPattern.parse("orders.*").matches("orders")).isFalse();
        assertThat(TopicPattern.parse("orders.*").matches("ordersx.created")).isFalse();
        assertThat(TopicPattern.parse("orders.*").matches("orders.")).isFalse();
        assertThat(TopicPattern.parse("orders.*").matches("orders.x")).isTrue();
        assertThat(TopicPattern.parse("*").matches("")).isFalse();
        assertThat(TopicPattern.parse("*").matches("x")).isTrue();
        assertThat(TopicPattern.parse("*").matches("anything")).isTrue();
        assertThat(TopicPattern.parse("orders.*").prefix()).isEqualTo("orders.");
        assertThat(TopicPattern.parse("*").prefix()).isEmpty();
    }

    @Test
    void rejectsMalformedPatterns() {
        for (String bad : new String[] {"", "Orders", "orders*", "*.created", "or*ders.x", "orders.*.x", " x"}) {
            assertThatThrownBy(() -> TopicPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
