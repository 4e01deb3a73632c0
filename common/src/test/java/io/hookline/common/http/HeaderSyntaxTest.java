package io.hookline.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeaderSyntaxTest {

    @Test
    void namesAreTokens() {
        assertThat(HeaderSyntax.isName("X-Tenant_Id.v2")).isTrue();
        assertThat(HeaderSyntax.isName("!#$%&'*+-.^_`|~09azAZ")).isTrue();
        for (String bad : new String[] {"", "a b", "a:b", "a\r\nb", "a\"b", "é", "a(b)", "a/b", "a\tb"}) {
            assertThat(HeaderSyntax.isName(bad)).as(bad).isFalse();
        }
        assertThat(HeaderSyntax.isName(null)).isFalse();
    }

    @Test
    void valuesHaveNoControlCharactersSoNoLineCanBeInjected() {
        assertThat(HeaderSyntax.isValue("")).isTrue();
        assertThat(HeaderSyntax.isValue("Bearer abc\tdef; q=\"1\" Latin-1 \u00e9\u00ff")).isTrue();
        for (String bad : new String[] {"a\r\nx-injected: 1", "a\nb", "a\rb", "nul\u0000", "del\u007f", "\u0100",
                "\u4e2d"}) {
            assertThat(HeaderSyntax.isValue(bad)).as(bad).isFalse();
        }
    }
}
