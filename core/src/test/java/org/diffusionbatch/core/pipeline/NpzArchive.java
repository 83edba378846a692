package org.diffusionbatch.core.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * numpy's {@code np.savez} archives (a zip of {@code .npy} files, format versions 1-3) read into
 * double values: little-endian float32/float64/int32/int64/bool, C order. Enough for the reference
 * traces; anything else is refused by name.
 */
final class NpzArchive {
  /** One array: its shape and its values in C order. */
  record Array(long[] shape, double[] values) {
    int size() {
      return values.length;
    }

    float[] floats() {
      float[] out = new float[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) values[i];
      }
      return out;
    }

    int[] ints() {
      int[] out = new int[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (int) values[i];
      }
      return out;
    }

    @Override
    public String toString() {
      return "array" + Arrays.toString(shape);
    }
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private NpzArchive() {}

  /** Every array in the archive, by name (without ".npy"), in archive order. */
  static Map<String, Array> read(Path file) throws IOException {
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName().replaceFirst("\\.npy$", "");
        try (InputStream in = zip.getInputStream(entry)) {
          arrays.put(name, npy(in.readAllBytes(), file + ":" + entry.getName()));
        }
      }
    }
    return arrays;
  }

  /** One {@code .npy} file's bytes. */
  static Array npy(byte[] bytes, String source) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    b.get(magic);
    if (!new String(magic, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY") || (magic[0] & 0xff) != 0x93) {
      throw new IllegalArgumentException(source + " is not a .npy array");
    }
    int major = b.get();
    b.get(); // minor
    int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    String header = new String(bytes, b.position(), headerLength,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    b.position(b.position() + headerLength);
    String descr = group(DESCR, header, source);
    if (group(FORTRAN, header, source).equals("True")) {
      throw new IllegalArgumentException(source + " is in Fortran order; only C order is read");
    }
    String dims = group(SHAPE, header, source).trim();
    long[] shape = dims.isEmpty() ? new long[0]
        : Arrays.stream(dims.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    double[] values = new double[Math.toIntExact(count)];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (descr) {
        case "<f4" -> b.getFloat();
        case "<f8" -> b.getDouble();
        case "<i8" -> b.getLong();
        case "<i4" -> b.getInt();
        case "|b1", "|u1" -> b.get() & 0xff;
        default -> throw new IllegalArgumentException(source + " has dtype " + descr + ", which this reader does not know");
      };
    }
    return new Array(shape, values);
  }

  private static String group(Pattern p, String header, String source) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(source + ": .npy header without " + p.pattern() + ": " + header);
    }
    return m.group(1);
  }
}
