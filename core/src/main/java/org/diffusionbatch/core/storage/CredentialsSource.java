package org.diffusionbatch.core.storage;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names where S3 credentials come from, for error messages. It mirrors the order of the SDK's
 * default chain so "access denied" tells the user which credentials to fix.
 */
final class CredentialsSource {
  private CredentialsSource() {}

  static String describe(S3Settings settings) {
    if (settings.credentials() != null) {
      return "the credentials provider given in S3Settings (" + settings.credentials().getClass().getSimpleName() + ")";
    }
    if (System.getProperty("aws.accessKeyId") != null) {
      return "system property aws.accessKeyId (default credential chain)";
    }
    if (System.getenv("AWS_ACCESS_KEY_ID") != null) {
      return "environment variable AWS_ACCESS_KEY_ID (default credential chain)";
    }
    if (System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != null) {
      return "web identity token AWS_WEB_IDENTITY_TOKEN_FILE (default credential chain)";
    }
    String profile = System.getenv().getOrDefault("AWS_PROFILE", System.getProperty("aws.profile", "default"));
    Path credentialsFile = System.getenv("AWS_SHARED_CREDENTIALS_FILE") != null
        ? Path.of(System.getenv("AWS_SHARED_CREDENTIALS_FILE"))
        : Path.of(System.getProperty("user.home"), ".aws", "credentials");
    if (Files.isRegularFile(credentialsFile)) {
      return "profile '" + profile + "' in " + credentialsFile + " (default credential chain)";
    }
    return "container or instance role (default credential chain: no aws.accessKeyId property,"
        + " no AWS_ACCESS_KEY_ID variable, no " + credentialsFile + ")";
  }
}
