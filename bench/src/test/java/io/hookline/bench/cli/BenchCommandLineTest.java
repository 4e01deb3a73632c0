package io.hookline.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

class BenchCommandLineTest {

    /** A command with the shapes the benchmarks use, whose run reports what it parsed. */
    @Command(name = "probe", customSynopsis = "probe [OPTIONS]")
    static final class Probe implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Option(names = "--count", paramLabel = "N", defaultValue = "3", converter = OptionConverters.PositiveInt.class,
                description = "how many (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--wait", paramLabel = "D", defaultValue = "5s", converter = OptionConverters.Duration.class,
                description = "how long")
        Duration wait;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (count == 13) {
                throw new ParameterException(spec.commandLine(), "--count must not be 13");
            }
            return count;
        }
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cli = BenchCommandLine.commandLine(new Probe());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void runsTheCommandAndReturnsItsStatus() {
        assertThat(execute("--count", "7")).isEqualTo(7);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void helpPrintsTheGeneratedUsageAndExitsZero() {
        assertThat(execute("--count", "2", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: probe [OPTIONS]").contains("--count=N", "how many (default 3)",
                "--wait=D");
        assertThat(err.toString()).isEmpty();
        assertThat(BenchCommandLine.usage(new Probe())).isEqualTo(out.toString());
    }

    @Test
    void anUnknownOptionIsOneLineThenTheUsageAndExitTwo() {
        assertThat(execute("--cuont", "2")).isEqualTo(2);
        String[] lines = err.toString().split("\\R");
        assertThat(lines[0]).isEqualTo("Unknown options: '--cuont', '2'");
        assertThat(lines[1]).isEqualTo("Usage: probe [OPTIONS]");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadValueNamesTheOptionThenTheUsageAndExitTwo() {
        assertThat(execute("--wait", "soon")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0])
                .isEqualTo("Invalid value for option '--wait': must be a duration such as 500ms, 30s or 5m, got 'soon'");
        assertThat(err.toString()).contains("Usage: probe [OPTIONS]");
    }

    @Test
    void aRefusalFromTheCommandItselfIsBadUsageToo() {
        assertThat(execute("--count", "13")).isEqualTo(2);
        assertThat(err.toString().split("\\R")[0]).isEqualTo("--count must not be 13");
        assertThat(err.toString()).contains("Usage: probe [OPTIONS]");
    }

    @Test
    void theLastOfARepeatedOptionWins() {
        assertThat(BenchCommandLine.parse(new Probe(), "--count", "1", "--count=4").count).isEqualTo(4);
    }

    @Test
    void parseThrowsInsteadOfPrinting() {
        assertThatThrownBy(() -> BenchCommandLine.parse(new Probe(), "--count"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Missing required parameter for option '--count' (N)");
        assertThat(err.toString()).isEmpty();
    }
}
