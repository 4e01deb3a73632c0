package io.hookline.bench.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * How every benchmark command is parsed and run: {@code --help} prints the usage and exits 0; an unknown option or a
 * bad value prints one line naming it, then the usage, on stderr and exits 2; otherwise the command's own status.
 */
public final class BenchCommandLine {
    /** Wide enough for the descriptions to stay on one line each, as the hand-written usage had them. */
    private static final int USAGE_WIDTH = 120;

    private BenchCommandLine() {
    }

    /** Runs {@code command} with {@code args} and returns the process exit status. */
    public static int execute(Callable<Integer> command, String... args) {
        return commandLine(command).execute(args);
    }

    /**
     * Fills {@code command}'s options from {@code args} without running it.
     *
     * @throws CommandLine.ParameterException on an unknown option or a bad value, its message naming the option
     */
    public static <T> T parse(T command, String... args) {
        commandLine(command).parseArgs(args);
        return command;
    }

    /** The usage text of {@code command}, as {@code --help} prints it. */
    public static String usage(Object command) {
        return commandLine(command).getUsageMessage();
    }

    /** The picocli command line of {@code command} with the benchmarks' settings (tests set its writers). */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        // A benchmark command is often an earlier one with an option appended: the last occurrence wins.
        cli.setOverwrittenOptionsAllowed(true);
        cli.setUsageHelpWidth(USAGE_WIDTH);
        cli.setUsageHelpLongOptionsMaxWidth(24);
        // picocli's default prints near-miss suggestions instead of the usage; one line plus the usage is the contract.
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(e.getMessage());
            e.getCommandLine().usage(err);
            return CommandLine.ExitCode.USAGE;
        });
        return cli;
    }
}
