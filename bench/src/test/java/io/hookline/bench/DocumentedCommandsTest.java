package io.hookline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.hookline.bench.gateway.GatewayCommand;
import io.hookline.bench.load.DeliveryCommand;
import io.hookline.bench.load.LoadCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every {@code load}, {@code delivery} and {@code gateway} command the documents show still parses. */
class DocumentedCommandsTest {
    /** Surefire runs in the module's directory. */
    private static final List<Path> DOCUMENTS = List.of(Path.of("RESULTS.md"), Path.of("../README.md"));

    /** The jar or main class, the sub-command, then its options up to a closing backtick or a trailing comment. */
    private static final Pattern COMMAND =
            Pattern.compile("(?:-jar\\s+\\S+|BenchMain)\\s+(load|delivery|gateway)((?:\\s+[^`#\\s]+)*)");

    private static final Map<String, Consumer<String[]>> PARSERS = Map.of(
            "load", LoadCommand::parse,
            "delivery", DeliveryCommand::parse,
            "gateway", GatewayCommand::parse);

    @TestFactory
    Stream<DynamicTest> everyDocumentedCommandParses() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path document : DOCUMENTS) {
            List<String> lines = Files.readAllLines(document);
            for (int i = 0; i < lines.size(); i++) {
                int first = i;
                String line = lines.get(i).stripTrailing();
                // A shell command continued with a trailing backslash is one command.
                while (line.endsWith("\\") && i + 1 < lines.size()) {
                    line = line.substring(0, line.length() - 1) + " " + lines.get(++i).stripTrailing();
                }
                Matcher m = COMMAND.matcher(line);
                while (m.find()) {
                    String options = m.group(2).trim();
                    // An elided command ("delivery … --no-baseline") or a placeholder is prose, not a command.
                    if (options.contains("…") || options.contains("...") || options.contains("[")) {
                        continue;
                    }
                    String[] args = options.isEmpty() ? new String[0] : options.split("\\s+");
                    Consumer<String[]> parser = PARSERS.get(m.group(1));
                    tests.add(DynamicTest.dynamicTest(document + ":" + (first + 1) + " " + m.group(1) + " " + options,
                            () -> assertThatCode(() -> parser.accept(args)).doesNotThrowAnyException()));
                }
            }
        }
        // The documents hold dozens of these; finding none would mean this test looks at nothing.
        assertThat(tests).hasSizeGreaterThan(20);
        return tests.stream();
    }
}
