package org.diffusionbatch.jobs.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what a run writes and prints: the value of every {@code --conf KEY=VALUE}
 * whose key looks secret (secret, password, token, credential, session, access key, encryption key)
 * is replaced by {@link #REDACTED} in the manifest, the logs and the printed resume command.
 */
public final class Redaction {
  private Redaction() {}

  public static final String REDACTED = "*********(redacted)";

  /** Also set as {@code spark.redaction.regex}, so Spark's UI and event logs hide the same keys. */
  static final String SECRET_KEY_REGEX = "(?i)secret|password|passwd|token|credential|session|access[._-]?key|encryption[._-]?key";

  private static final Pattern SECRET_KEY = Pattern.compile(SECRET_KEY_REGEX);

  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).find();
  }

  /** The command line with secret {@code --conf} values replaced ({@code --conf K=V} and {@code --conf=K=V}). */
  public static List<String> arguments(List<String> arguments) {
    List<String> out = new ArrayList<>(arguments.size());
    boolean confValueNext = false;
    for (String argument : arguments) {
      if (confValueNext) {
        out.add(setting(argument));
        confValueNext = false;
      } else if (argument.startsWith("--conf=")) {
        out.add("--conf=" + setting(argument.substring("--conf=".length())));
      } else {
        out.add(argument);
        confValueNext = argument.equals("--conf");
      }
    }
    return out;
  }

  /** {@code KEY=VALUE} with the value redacted when the key looks secret. */
  static String setting(String keyValue) {
    int eq = keyValue.indexOf('=');
    return eq > 0 && isSecretKey(keyValue.substring(0, eq)) ? keyValue.substring(0, eq + 1) + REDACTED : keyValue;
  }
}
