package org.diffusionbatch.core.storage;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Logs each retry of an S3 request as it is sent, so a run stalled on a store that is down says why. The
 * SDK's own retry log cannot be used: the AWS SDK bundle shades its slf4j without a binding, so it goes nowhere.
 * The attempt number is the one the SDK puts in every request's {@code amz-sdk-request} header.
 */
final class SdkRetryLog implements ExecutionInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(SdkRetryLog.class);

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    Optional<String> retryInfo = context.httpRequest().firstMatchingHeader("amz-sdk-request");
    int attempt = retryInfo.map(info -> field(info, "attempt")).orElse(1);
    if (attempt > 1) {
      int max = retryInfo.map(info -> field(info, "max")).orElse(0);
      LOG.warn("S3 {} {}: the last attempt failed; retrying, attempt {} of {}",
          attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), where(context.request()), attempt, max);
    }
  }

  private static String where(SdkRequest request) {
    String bucket = request.getValueForField("Bucket", String.class).orElse("?");
    return "s3://" + bucket + "/" + request.getValueForField("Key", String.class).orElse("");
  }

  /** A field of {@code attempt=2; max=4}; 0 when absent or not a number. */
  static int field(String retryInfo, String name) {
    for (String part : retryInfo.split(";")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length == 2 && kv[0].equals(name)) {
        try {
          return Integer.parseInt(kv[1].trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }
}
