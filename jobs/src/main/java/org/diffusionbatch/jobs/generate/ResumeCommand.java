package org.diffusionbatch.jobs.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.diffusionbatch.jobs.spark.Redaction;

/**
 * The command that makes what a stopped or failed run left out: the same arguments with
 * {@code --resume} (instead of {@code --overwrite}), without its {@code --run-id} (a run id names one
 * run) or {@code --break-lease}, secrets redacted, quoted for a POSIX shell.
 */
final class ResumeCommand {
  private ResumeCommand() {}

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,\\-\\[\\]]+");
  private static final Set<String> DROPPED = Set.of("--overwrite", "--resume", "--break-lease");

  static String of(List<String> arguments, boolean underSparkSubmit) {
    List<String> args = new ArrayList<>(Redaction.arguments(arguments));
    if (!args.isEmpty() && args.get(0).equals("generate")) {
      args.remove(0);
    }
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--run-id")) {
        i++;
      } else if (!DROPPED.contains(arg) && !arg.startsWith("--run-id=")) {
        kept.add(quote(arg));
      }
    }
    kept.add("--resume");
    String prefix = underSparkSubmit
        ? "spark-submit <the same spark-submit options> --class " + GenerateJob.class.getName() + " <jobs-jar>"
        : "./diffusion-batch generate";
    return prefix + " " + String.join(" ", kept);
  }

  static String quote(String arg) {
    return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\"'\"'") + "'";
  }
}
