package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.http.ProblemException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadParserTest {

    private static JsonNode parse(String body) {
        return PayloadParser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(byte[] body, int status, String detailFragment) {
        assertThatThrownBy(() -> PayloadParser.parse(body))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(status);
                    assertThat(e.problem().detail()).contains(detailFragment);
                });
    }

    @Test
    void acceptsAnyJsonValue() {
        assertThat(parse("{\"a\":1}").get("a").intValue()).isEqualTo(1);
        assertThat(parse("[1,2]").size()).isEqualTo(2);
        assertThat(parse("\"text\"").textValue()).isEqualTo("text");
        assertThat(parse("null").isNull()).isTrue();
        assertThat(parse(" 42 \n").intValue()).isEqualTo(42);
        assertThat(parse("{\"name\":\"Zoë 😀\"}").get("name").textValue()).isEqualTo("Zoë 😀");
    }

    @Test
    void keepsNumbersExact() {
        assertThat(parse("0.10000000000000000555").decimalValue()).isEqualTo(new BigDecimal("0.10000000000000000555"));
        assertThat(parse("1e400").decimalValue()).isEqualTo(new BigDecimal("1e400"));
        assertThat(parse("123456789012345678901234567890").bigIntegerValue().toString())
                .isEqualTo("123456789012345678901234567890");
    }

    @Test
    void malformedJsonIs400WithLocation() {
        assertRefused("{\"a\": }".getBytes(StandardCharsets.UTF_8), 400, "line 1, column");
        assertRefused("{\"a\": 1".getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
        assertRefused("{\"a\":1} {\"b\":2}".getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
        assertRefused("{'a':1}".getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
        assertRefused("{\"a\":NaN}".getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
        assertRefused("\"tab\there\"".getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
    }

    @Test
    void emptyBodiesAre400() {
        assertRefused(new byte[0], 400, "empty");
        assertRefused("   \n".getBytes(StandardCharsets.UTF_8), 400, "empty");
    }

    @Test
    void onlyUtf8IsAccepted() {
        assertRefused(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '1'}, 400, "byte-order mark");
        assertRefused("{\"a\":1}".getBytes(StandardCharsets.UTF_16LE), 400, "NUL");
        assertRefused(new byte[] {'"', (byte) 0xC3, '"'}, 400, "UTF-8");
        assertRefused(new byte[] {'"', (byte) 0xFF, (byte) 0xFE, '"'}, 400, "UTF-8");
        assertRefused(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, 400, "UTF-8"); // a lone surrogate
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertRefused(deep.getBytes(StandardCharsets.UTF_8), 400, "not valid JSON");
    }
}
