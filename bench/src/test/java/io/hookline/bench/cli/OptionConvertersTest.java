package io.hookline.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class OptionConvertersTest {
    private final OptionConverters.Duration duration = new OptionConverters.Duration();

    @Test
    void durationsInEveryUnitAndBareSeconds() {
        assertThat(duration.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(duration.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(duration.convert("3m")).isEqualTo(Duration.ofMinutes(3));
        assertThat(duration.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(duration.convert("12")).isEqualTo(Duration.ofSeconds(12));
        assertThat(duration.convert(" 5M ")).isEqualTo(Duration.ofMinutes(5));
        assertThat(duration.convert("0s")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "", "5 min", "1.5s", "s", "PT5S", "99999999999999999999h"})
    void notADuration(String text) {
        assertThatThrownBy(() -> duration.convert(text)).isInstanceOf(TypeConversionException.class)
                .hasMessage("must be a duration such as 500ms, 30s or 5m, got '" + text + "'");
    }

    @Test
    void negativeDurationsAreRefused() {
        assertThatThrownBy(() -> duration.convert("-5s")).hasMessage("must not be negative, got '-5s'");
    }

    @Test
    void positiveIntegersMayGroupDigits() {
        OptionConverters.PositiveInt positive = new OptionConverters.PositiveInt();
        assertThat(positive.convert("1")).isEqualTo(1);
        assertThat(positive.convert("100_000")).isEqualTo(100_000);
        assertThatThrownBy(() -> positive.convert("0")).hasMessage("must be positive, got 0");
        assertThatThrownBy(() -> positive.convert("-3")).hasMessage("must be positive, got -3");
        assertThatThrownBy(() -> positive.convert("ten")).hasMessage("must be an integer, got 'ten'");
        assertThatThrownBy(() -> positive.convert("3000000000")).hasMessage("must be an integer, got '3000000000'");
    }

    @Test
    void nonNegativeIntegersTakeZero() {
        OptionConverters.NonNegativeInt nonNegative = new OptionConverters.NonNegativeInt();
        assertThat(nonNegative.convert("0")).isZero();
        assertThat(nonNegative.convert("2_000")).isEqualTo(2000);
        assertThatThrownBy(() -> nonNegative.convert("-1")).hasMessage("must not be negative, got -1");
        assertThatThrownBy(() -> nonNegative.convert("1e3")).hasMessage("must be an integer, got '1e3'");
    }

    @Test
    void settingsSplitAtTheFirstEqualsSign() {
        OptionConverters.Setting setting = new OptionConverters.Setting();
        assertThat(setting.convert("HOOKLINE_X=a=b")).isEqualTo(Map.entry("HOOKLINE_X", "a=b"));
        assertThat(setting.convert("HOOKLINE_EMPTY=")).isEqualTo(Map.entry("HOOKLINE_EMPTY", ""));
        assertThatThrownBy(() -> setting.convert("NOEQUALS")).hasMessage("needs KEY=VALUE, got 'NOEQUALS'");
        assertThatThrownBy(() -> setting.convert("=value")).hasMessage("needs KEY=VALUE, got '=value'");
    }

    @Test
    void aSettingGivenTwiceKeepsItsLastValue() {
        assertThat(OptionConverters.settings(List.of(Map.entry("A", "1"), Map.entry("B", "2"), Map.entry("A", "3"))))
                .isEqualTo(Map.of("A", "3", "B", "2"));
        assertThat(OptionConverters.settings(List.of())).isEmpty();
    }
}
