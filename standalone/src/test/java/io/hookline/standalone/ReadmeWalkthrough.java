package io.hookline.standalone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The curl walkthrough of the repository's README.md, taken from the README itself so the test breaks when the
 * text does. Only the port numbers are changed (a test must not take 8080, 8081 or 9000), nothing else: the
 * commands run with bash from a directory laid out like the repository root (the jar under
 * {@code standalone/target}, the standalone's data under {@code data}).
 */
final class ReadmeWalkthrough {
    static final Path README = Path.of("..", "README.md");

    private ReadmeWalkthrough() {
    }

    /** The first {@code bash} block after the "Walkthrough" heading. */
    static String script() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        StringBuilder script = new StringBuilder();
        boolean inSection = false;
        boolean inBlock = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## Walkthrough");
            } else if (inSection && !inBlock && line.equals("```bash")) {
                inBlock = true;
            } else if (inBlock && line.equals("```")) {
                return script.toString();
            } else if (inBlock) {
                script.append(line).append('\n');
            }
        }
        throw new IllegalStateException("no bash block in the Walkthrough section of " + README.toAbsolutePath());
    }

    /** The script with the README's ports replaced; fails if a port it expects is not there to replace. */
    static String withPorts(String script, int gatewayPort, int registrarPort, int receiverPort) {
        for (String expected : List.of("localhost:8080/", "localhost:8081/", "127.0.0.1:9000/", "DemoReceiver 9000 ")) {
            if (!script.contains(expected)) {
                throw new IllegalStateException("the README walkthrough no longer contains '" + expected + "'");
            }
        }
        return script.replace("localhost:8080/", "localhost:" + gatewayPort + "/")
                .replace("localhost:8081/", "localhost:" + registrarPort + "/")
                .replace("127.0.0.1:9000/", "127.0.0.1:" + receiverPort + "/")
                .replace("DemoReceiver 9000 ", "DemoReceiver " + receiverPort + " ");
    }

    /**
     * Lays out {@code root} like the repository (the standalone jar linked under {@code standalone/target}) and
     * writes the script there, followed by a {@code wait} so the shell outlives its background receiver and the
     * test can stop the receiver as the shell's child.
     */
    static Path install(Path root, Path jar, String script) throws IOException {
        Path target = Files.createDirectories(root.resolve("standalone").resolve("target"));
        Path link = target.resolve(jar.getFileName());
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, jar.toAbsolutePath());
        }
        Path file = root.resolve("walkthrough.sh");
        Files.writeString(file, "set -e\n" + script + "wait\n", StandardCharsets.UTF_8);
        return file;
    }
}
