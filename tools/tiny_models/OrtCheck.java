// Runs the test cases written by check_tiny_models.py --ort-cases DIR through the real ONNX Runtime
// and compares every output with the Python interpreter's. Not part of the Maven build:
//
//   java -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.21.1/onnxruntime-1.21.1.jar \
//       tools/tiny_models/OrtCheck.java /tmp/ortcases
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

public class OrtCheck {
    record Spec(String kind, String name, String dtype, long[] shape) {}

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Path> cases;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        Map<String, OrtSession> sessions = new HashMap<>();
        int failures = 0;
        for (Path dir : cases) {
            List<String> lines = Files.readAllLines(dir.resolve("case.txt"));
            String model = lines.get(0);
            OrtSession session = sessions.get(model);
            if (session == null) {
                OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                so.setIntraOpNumThreads(1);
                session = env.createSession(model, so);
                sessions.put(model, session);
                StringBuilder sb = new StringBuilder(model.replaceAll(".*/models/", "") + ":");
                for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                    sb.append(" in ").append(e.getKey()).append(e.getValue().getInfo());
                }
                for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
                    sb.append(" out ").append(e.getKey()).append(e.getValue().getInfo());
                }
                System.out.println(sb);
            }
            List<Spec> specs = new ArrayList<>();
            for (String l : lines.subList(1, lines.size())) {
                if (l.isBlank()) continue;
                String[] p = l.trim().split(" ");
                long[] shape = new long[p.length - 3];
                for (int i = 3; i < p.length; i++) shape[i - 3] = Long.parseLong(p[i]);
                specs.add(new Spec(p[0], p[1], p[2], shape));
            }
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (Spec s : specs) {
                if (!s.kind.equals("in")) continue;
                ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(s.name + ".bin")))
                        .order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer direct = ByteBuffer.allocateDirect(bb.capacity()).order(ByteOrder.nativeOrder());
                direct.put(bb).rewind();
                OnnxJavaType t = switch (s.dtype) {
                    case "float32" -> OnnxJavaType.FLOAT;
                    case "float16" -> OnnxJavaType.FLOAT16;
                    case "int64" -> OnnxJavaType.INT64;
                    case "int32" -> OnnxJavaType.INT32;
                    default -> throw new IllegalArgumentException(s.dtype);
                };
                feeds.put(s.name, OnnxTensor.createTensor(env, direct, s.shape, t));
            }
            try (OrtSession.Result r = session.run(feeds)) {
                for (Spec s : specs) {
                    if (!s.kind.equals("out")) continue;
                    OnnxTensor got = (OnnxTensor) r.get(s.name).orElseThrow();
                    TensorInfo info = got.getInfo();
                    float[] g = toFloats(got.getByteBuffer().order(ByteOrder.nativeOrder()), s.dtype);
                    float[] w = toFloats(ByteBuffer.wrap(Files.readAllBytes(dir.resolve(s.name + ".bin")))
                            .order(ByteOrder.LITTLE_ENDIAN), s.dtype);
                    double maxErr = 0, maxAbs = 1e-6;
                    for (int i = 0; i < w.length; i++) {
                        maxErr = Math.max(maxErr, Math.abs(g[i] - w[i]));
                        maxAbs = Math.max(maxAbs, Math.abs(w[i]));
                    }
                    double rel = maxErr / Math.max(1.0, maxAbs);
                    double tol = s.dtype.equals("float16") ? 2e-2 : 2e-4;
                    boolean ok = g.length == w.length && rel < tol
                            && java.util.Arrays.equals(info.getShape(), s.shape);
                    if (!ok) failures++;
                    System.out.printf("  %s %s %s: max abs err %.3g (rel %.3g, max |x| %.3g) %s%n", dir.getFileName(),
                            s.name, java.util.Arrays.toString(info.getShape()), maxErr, rel, maxAbs, ok ? "OK" : "FAIL");
                }
            }
            for (OnnxTensor t : feeds.values()) t.close();
        }
        for (OrtSession s : sessions.values()) s.close();
        System.out.println(failures == 0 ? "all onnxruntime cases passed" : failures + " FAILURES");
        System.exit(failures == 0 ? 0 : 1);
    }

    static float[] toFloats(ByteBuffer b, String dtype) {
        b.rewind();
        switch (dtype) {
            case "float32": {
                float[] f = new float[b.remaining() / 4];
                b.asFloatBuffer().get(f);
                return f;
            }
            case "float16": {
                float[] f = new float[b.remaining() / 2];
                for (int i = 0; i < f.length; i++) f[i] = halfToFloat(b.getShort());
                return f;
            }
            default:
                throw new IllegalArgumentException(dtype);
        }
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0) return (sign != 0 ? -1 : 1) * mant * 0x1p-24f;
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
