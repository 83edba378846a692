package org.diffusionbatch.core.metrics;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's {@code .npy} format (versions 1.0 to 3.0): little-endian float32, float64 and uint8
 * arrays in C order, as {@code np.save} writes them. Anything else (big-endian, Fortran order,
 * other types) is refused with a message saying how to re-save the file. Arrays of any rank are
 * read; 1-D and 2-D arrays are written (version 1.0 headers, as numpy writes them).
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final int COPY_CHUNK = 1 << 16;

  private Npy() {}

  /** The element types this reader accepts, with numpy's {@code descr}. */
  public enum DType {
    UINT8("|u1", 1),
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8);

    private final String descr;
    private final int bytes;

    DType(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }

    public String descr() {
      return descr;
    }

    public int bytes() {
      return bytes;
    }

    static DType parse(String descr, String source) {
      switch (descr) {
        case "|u1", "<u1", "u1" -> {
          return UINT8;
        }
        case "<f4", "f4" -> {
          return FLOAT32;
        }
        case "<f8", "f8" -> {
          return FLOAT64;
        }
        default -> {
          String hint = descr.startsWith(">")
              ? "big-endian data: re-save with a.astype(a.dtype.newbyteorder('<'))"
              : "re-save with a.astype(np.float32) or np.float64";
          throw new IllegalArgumentException(source + ": numpy type '" + descr
              + "' is not supported (float32, float64 and uint8 are); " + hint);
        }
      }
    }
  }

  /** The header of a {@code .npy} stream: element type and shape (C order). */
  public record Header(DType dtype, int[] shape) {
    public long elements() {
      long n = 1;
      for (int s : shape) {
        n *= s;
      }
      return n;
    }

    public String shapeText() {
      return Arrays.toString(shape);
    }
  }

  /** Receives consecutive row batches of a 2-D array, as float64 values row after row. */
  @FunctionalInterface
  public interface RowBatchConsumer {
    void accept(double[] rowsMajor, int rows, int columns);
  }

  /** Reads a whole {@code .npy} file. */
  public static NpyArray read(Path file) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), COPY_CHUNK)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a whole {@code .npy} array from a stream; {@code source} names it in errors. */
  public static NpyArray read(InputStream in, String source) throws IOException {
    Header header = readHeader(in, source);
    long n = header.elements();
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(source + ": array of shape " + header.shapeText()
          + " has too many elements to read at once; read it in row batches");
    }
    double[] values = new double[(int) n];
    readValues(in, header.dtype(), values, 0, (int) n, source);
    return new NpyArray(header.dtype(), header.shape(), values);
  }

  /**
   * Streams a 2-D array ([rows, columns], e.g. a feature matrix) in batches of at most
   * {@code batchRows} rows, so a matrix larger than memory can feed {@link FeatureStatistics}.
   *
   * @return the number of rows read
   */
  public static long forEachRowBatch(Path file, int batchRows, RowBatchConsumer consumer) {
    if (batchRows < 1) {
      throw new IllegalArgumentException("batch size must be at least 1 row, got " + batchRows);
    }
    String source = file.toString();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), COPY_CHUNK)) {
      Header header = readHeader(in, source);
      if (header.shape().length != 2) {
        throw new IllegalArgumentException(source + ": expected a 2-D feature matrix [rows, columns],"
            + " found shape " + header.shapeText());
      }
      int rows = header.shape()[0];
      int columns = header.shape()[1];
      int batch = (int) Math.max(1, Math.min(batchRows, (Integer.MAX_VALUE - 16L) / Math.max(1, columns)));
      double[] buffer = new double[batch * columns];
      for (int start = 0; start < rows; start += batch) {
        int n = Math.min(batch, rows - start);
        readValues(in, header.dtype(), buffer, 0, n * columns, source);
        consumer.accept(buffer, n, columns);
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads and checks the magic string and header; the stream is left at the first value. */
  public static Header readHeader(InputStream in, String source) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] magic = new byte[MAGIC.length];
    try {
      data.readFully(magic);
    } catch (EOFException e) {
      throw new IllegalArgumentException(source + ": too short to be a .npy file");
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException(source + ": not a .npy file (no \\x93NUMPY magic string)");
    }
    int major = data.readUnsignedByte();
    data.readUnsignedByte();
    long headerLength;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(Short.reverseBytes(data.readShort()));
    } else if (major == 2 || major == 3) {
      headerLength = Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
    } else {
      throw new IllegalArgumentException(source + ": .npy format version " + major
          + " is not supported (1.0 to 3.0 are)");
    }
    if (headerLength > 1 << 20) {
      throw new IllegalArgumentException(source + ": .npy header of " + headerLength
          + " bytes is not plausible; the file is damaged");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    data.readFully(headerBytes);
    String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(text);
    Matcher fortran = FORTRAN.matcher(text);
    Matcher shape = SHAPE.matcher(text);
    if (!descr.find() || !fortran.find() || !shape.find()) {
      throw new IllegalArgumentException(source + ": unreadable .npy header: " + text.strip());
    }
    DType dtype = DType.parse(descr.group(1), source);
    if (fortran.group(1).equals("True")) {
      throw new IllegalArgumentException(source + ": array is in Fortran order; re-save it in C order"
          + " with np.save(path, np.ascontiguousarray(a))");
    }
    return new Header(dtype, parseShape(shape.group(1), source));
  }

  private static int[] parseShape(String inner, String source) {
    String[] parts = inner.split(",");
    int[] dims = new int[parts.length];
    int n = 0;
    for (String p : parts) {
      String t = p.strip();
      if (t.isEmpty()) {
        continue;
      }
      try {
        dims[n++] = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(source + ": unreadable .npy shape (" + inner + ")");
      }
      if (dims[n - 1] < 0) {
        throw new IllegalArgumentException(source + ": negative .npy dimension in (" + inner + ")");
      }
    }
    return Arrays.copyOf(dims, n);
  }

  private static void readValues(InputStream in, DType dtype, double[] out, int from, int count,
      String source) throws IOException {
    byte[] chunk = new byte[COPY_CHUNK * dtype.bytes()];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < count) {
      int n = Math.min(COPY_CHUNK, count - done);
      int bytes = n * dtype.bytes();
      int read = in.readNBytes(chunk, 0, bytes);
      if (read < bytes) {
        throw new IllegalArgumentException(source + ": .npy data ends after " + (done + read / dtype.bytes())
            + " of " + count + " values; the file is truncated");
      }
      buf.clear();
      int o = from + done;
      switch (dtype) {
        case UINT8 -> {
          for (int i = 0; i < n; i++) {
            out[o + i] = chunk[i] & 0xff;
          }
        }
        case FLOAT32 -> {
          for (int i = 0; i < n; i++) {
            out[o + i] = buf.getFloat(i * 4);
          }
        }
        case FLOAT64 -> buf.asDoubleBuffer().get(out, o, n);
        default -> throw new AssertionError(dtype);
      }
      done += n;
    }
  }

  /** Writes float32 values of the given 1-D or 2-D shape. */
  public static void write(Path file, float[] values, int... shape) {
    writeFile(file, out -> write(out, values, shape));
  }

  /** Writes float64 values of the given 1-D or 2-D shape. */
  public static void write(Path file, double[] values, int... shape) {
    writeFile(file, out -> write(out, values, shape));
  }

  /** Writes float32 values of the given 1-D or 2-D shape to a stream (not closed). */
  public static void write(OutputStream out, float[] values, int... shape) throws IOException {
    long n = checkShape(values.length, shape);
    writeHeader(out, DType.FLOAT32, shape);
    ByteBuffer buf = ByteBuffer.allocate(COPY_CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i += COPY_CHUNK) {
      int m = (int) Math.min(COPY_CHUNK, n - i);
      buf.clear();
      buf.asFloatBuffer().put(values, i, m);
      out.write(buf.array(), 0, m * 4);
    }
  }

  /** Writes float64 values of the given 1-D or 2-D shape to a stream (not closed). */
  public static void write(OutputStream out, double[] values, int... shape) throws IOException {
    long n = checkShape(values.length, shape);
    writeHeader(out, DType.FLOAT64, shape);
    ByteBuffer buf = ByteBuffer.allocate(COPY_CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i += COPY_CHUNK) {
      int m = (int) Math.min(COPY_CHUNK, n - i);
      buf.clear();
      buf.asDoubleBuffer().put(values, i, m);
      out.write(buf.array(), 0, m * 8);
    }
  }

  /** The bytes {@link #write(OutputStream, double[], int...)} produces (for zip entries). */
  static byte[] toBytes(double[] values, int... shape) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(128 + values.length * 8);
    try {
      write(out, values, shape);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  private static void writeFile(Path file, StreamWriter writer) {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), COPY_CHUNK)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static long checkShape(int length, int[] shape) {
    if (shape.length < 1 || shape.length > 2) {
      throw new IllegalArgumentException("only 1-D and 2-D arrays are written, shape "
          + Arrays.toString(shape) + " was given");
    }
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n != length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
          + " values, the array has " + length);
    }
    return n;
  }

  /** Version 1.0 header, padded with spaces to a multiple of 64 bytes and ending in a newline. */
  private static void writeHeader(OutputStream out, DType dtype, int[] shape) throws IOException {
    String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + shape[0] + ", " + shape[1] + ")";
    StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.descr())
        .append("', 'fortran_order': False, 'shape': ").append(shapeText).append(", }");
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    dict.append(" ".repeat(pad)).append('\n');
    byte[] header = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    out.write(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length & 0xff);
    out.write((header.length >>> 8) & 0xff);
    out.write(header);
  }
}
