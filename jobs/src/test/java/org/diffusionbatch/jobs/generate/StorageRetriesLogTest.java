package org.diffusionbatch.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.diffusionbatch.core.storage.ObjectStorage;
import org.diffusionbatch.core.storage.S3Settings;
import org.diffusionbatch.core.storage.StorageException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * With the job's logging (jobs/src/main/resources/log4j2.properties), each retry of an AWS SDK request (the
 * manifest, the lease and s3:// models go through the SDK) is shown as it is sent. S3A's retries are checked on
 * a real run in {@link InterruptionTest}.
 */
class StorageRetriesLogTest {
  @Test
  void eachAwsSdkRetryIsLoggedAsItIsSentNamingTheOperationObjectAndAttempt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig config = context.getConfiguration().getLoggerConfig("org.diffusionbatch.core.storage.SdkRetryLog");
    StringWriter captured = new StringWriter();
    WriterAppender appender = WriterAppender.newBuilder().setName("captured-sdk-retries").setTarget(captured)
        .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
    appender.start();
    config.addAppender(appender, null, null);
    context.updateLoggers();
    try (ObjectStorage down = ObjectStorage.create(new S3Settings("http://127.0.0.1:" + closedPort, "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))))) {
      assertThrows(StorageException.class, () -> down.getBytes(URI.create("s3://bucket/_runs/r.json")));
    } finally {
      config.removeAppender("captured-sdk-retries");
      context.updateLoggers();
      appender.stop();
    }
    String log = captured.toString();
    Matcher first = Pattern.compile(
        "WARN S3 GetObject s3://bucket/_runs/r\\.json: the last attempt failed; retrying, attempt 2 of (\\d+)\n").matcher(log);
    assertTrue(first.find(), "the first retry is logged: " + log);
    int attempts = Integer.parseInt(first.group(1));
    assertTrue(attempts >= 2, log);
    assertEquals(attempts - 1, log.lines().filter(l -> l.contains("retrying, attempt")).count(), "one line per retry: " + log);
  }
}
