package org.diffusionbatch.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 over a model folder's files: for each file in path order, its relative path ('/'
 * separators), its length and its bytes. Hidden files and folders (names starting with '.') are
 * left out, so cache markers and .git do not change it; the same files give the same digest
 * wherever they are.
 */
public final class ModelDigest {
  private ModelDigest() {}

  public static String of(Path dir) {
    MessageDigest sha = sha256();
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files = walk.filter(Files::isRegularFile).filter(p -> !isHidden(dir.relativize(p)))
          .sorted((a, b) -> relative(dir, a).compareTo(relative(dir, b))).toList();
      byte[] buffer = new byte[1 << 20];
      for (Path file : files) {
        sha.update(relative(dir, file).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(file)).array());
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
          while (in.read(buffer) != -1) {
            // DigestInputStream hashes as it reads
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model files under " + dir + " to compute their digest: " + e.getMessage(), e);
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static String relative(Path dir, Path file) {
    return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
