package dev.consilium.runtime.cli;

/** Stands in for the CLI under the launcher: writes what a command writes to stderr, echoes its arguments. */
public final class LauncherProbe {
    private LauncherProbe() {}

    public static void main(String[] args) {
        System.out.println("args " + String.join(" ", args));
        System.err.print("step 1\rstep 2\r"); // a progress bar redraws one line without ending it
        System.err.println("step 3");
        System.err.println("WARNING: something the user must see");
        System.exit(3);
    }
}
