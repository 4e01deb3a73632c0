package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.http.ProblemException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    void aNumberNoReaderCouldHoldIs400NotA500() {
        assertRefused("1e99999999999".getBytes(StandardCharsets.UTF_8), 400, "cannot be represented");
        assertRefused("{\"a\":[1.5e-99999999999]}".getBytes(StandardCharsets.UTF_8), 400, "cannot be represented");
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

    /**
     * The tree-free check stands in for the parse on the single-publish path, so the two must agree on every body:
     * what one accepts the other accepts, what one refuses the other refuses with the same status.
     */
    @Test
    void theCheckAcceptsAndRefusesExactlyWhatTheParseDoes() {
        List<byte[]> bodies = new ArrayList<>();
        for (String text : List.of("{\"a\":1}", "[1,2]", "\"text\"", "null", " 42 \n", "true", "false", "-0", "0.10",
                "1e400", "1E-400", "123456789012345678901234567890", "{\"name\":\"Zoë 😀\"}", "{\"a\":[{},[],{\"b\":null}]}",
                "\"\\u00e9\\n\\t\\\"\\\\\\/\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "[]", "{}",
                // refused
                "{\"a\": }", "{\"a\": 1", "{\"a\":1} {\"b\":2}", "{\"a\":1}]", "{'a':1}", "{\"a\":NaN}", "\"tab\there\"",
                "\"bad \\x escape\"", "\"\\u12\"", "01", "1.", ".5", "+1", "1e", "[1,]", "{\"a\":1,}", "[1 2]", "nul", "tru",
                "\"unterminated", "{\"a\"}", "{1:2}", "1e99999999999", "1" + "0".repeat(1200), "0." + "1".repeat(1200),
                "\"" + "x".repeat(30_000) + "\"", "   \n", "/* comment */ 1", "# 1", "[" .repeat(2000) + "]".repeat(2000),
                "[" .repeat(900) + "]".repeat(900), "{\"a\":1}\u0000")) {
            bodies.add(text.getBytes(StandardCharsets.UTF_8));
        }
        bodies.add(new byte[0]);
        bodies.add(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '1'});
        bodies.add("{\"a\":1}".getBytes(StandardCharsets.UTF_16LE));
        bodies.add(new byte[] {'"', (byte) 0xC3, '"'});
        bodies.add(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
        bodies.add(new byte[] {'{', '"', 'a', (byte) 0xC3, (byte) 0xA9, '"', ':', '1', '}'});
        int accepted = 0;
        for (byte[] body : bodies) {
            Integer parseStatus = statusOf(() -> PayloadParser.parse(body));
            Integer checkStatus = statusOf(() -> PayloadParser.check(body));
            assertThat(checkStatus).as("check vs parse of %s", new String(body, StandardCharsets.UTF_8))
                    .isEqualTo(parseStatus);
            if (parseStatus == null) {
                accepted++;
            }
        }
        assertThat(accepted).as("the corpus holds both kinds").isBetween(10, bodies.size() - 10);
    }

    /** The status of the ProblemException the call throws, or null when it returns. */
    private static Integer statusOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (ProblemException e) {
            return e.problem().status();
        }
    }
}
