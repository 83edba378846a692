package org.diffusionbatch.jobs.spark;

/** Something in the arguments or the environment is wrong and nothing was done: exit code 2. */
public class ConfigurationException extends RuntimeException {
  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
