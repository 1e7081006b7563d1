package io.mptj.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Json;
import io.mptj.engine.SafetensorsFile;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.testing.Shared;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing the loaders with jqwik: the safetensors reader (generated headers and mutated files), a
 * backbone's {@code config.json}, PEFT adapters, the task-spec parser and the task readers (JSONL
 * and GLUE's TSV). Every case must end in success or a clear error that names the file it read —
 * never a NullPointerException, an index error, a native crash, a hang or an out-of-memory. Tries
 * per property: {@code jqwik.tries.default} (200; {@code -Djqwik.tries.default=N} for more).
 */
class LoaderFuzzTest {

  static Path work;
  static Path bert;
  static final AtomicInteger CASE = new AtomicInteger();

  @BeforeContainer
  static void setUp() throws IOException {
    work = Files.createTempDirectory("mptj-fuzz-");
    bert = TinyBert.writeRandom(work.resolve("bert"), 3);
  }

  @AfterContainer
  static void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  private static Path fresh(String what) throws IOException {
    return Files.createDirectories(work.resolve(what + "-" + CASE.incrementAndGet()));
  }

  // ---- safetensors -------------------------------------------------------------------------

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> dtype =
        Arbitraries.of("F32", "F16", "BF16", "I64", "I32", "I8", "U8", "BOOL", "F64", "Q4", "");
    Arbitrary<Long> number =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-3, 12),
            Arbitraries.of(1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE));
    Arbitrary<String> shape = number.list().ofMaxSize(4).map(LoaderFuzzTest::array);
    Arbitrary<String> offsets = number.list().ofMinSize(0).ofMaxSize(3).map(LoaderFuzzTest::array);
    Arbitrary<String> entry =
        Combinators.combine(dtype, shape, offsets, Arbitraries.integers().between(0, 7))
            .as(
                (d, s, o, drop) ->
                    "{"
                        + String.join(
                            ",",
                            Stream.of(
                                    drop == 1 ? null : "\"dtype\":\"" + d + "\"",
                                    drop == 2 ? null : "\"shape\":" + s,
                                    drop == 3 ? null : "\"data_offsets\":" + o)
                                .filter(x -> x != null)
                                .toList())
                        + "}");
    return entry
        .list()
        .ofMaxSize(3)
        .map(
            es -> {
              List<String> parts = new ArrayList<>();
              for (int i = 0; i < es.size(); i++) {
                parts.add("\"t" + i + "\":" + es.get(i));
              }
              return "{" + String.join(",", parts) + "}";
            });
  }

  private static String array(List<Long> xs) {
    return xs.toString().replace(" ", "");
  }

  /** A generated header over a data section of 0–255 bytes. */
  @Property
  void safetensorsHeadersEndInAClearError(
      @ForAll("headers") String header, @ForAll("dataBytes") int data) throws IOException {
    Path file = fresh("st").resolve("model.safetensors");
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(8 + h.length + data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Files.write(file, b.array());
    readEverything(file);
  }

  @Provide
  Arbitrary<Integer> dataBytes() {
    return Arbitraries.integers().between(0, 255);
  }

  /** A valid file with bytes flipped, a header length overwritten, or cut short. */
  @Property
  void mutatedSafetensorsEndInAClearError(@ForAll long seed) throws IOException {
    byte[] valid = Files.readAllBytes(validSafetensors());
    byte[] bytes = Mutations.bytes(valid, new Random(seed));
    Path file = fresh("mst").resolve("model.safetensors");
    Files.write(file, bytes);
    readEverything(file);
  }

  private static Path validSafetensors() throws IOException {
    Path file = work.resolve("valid.safetensors");
    if (!Files.exists(file)) {
      try (NDManager m = NDManager.newBaseManager()) {
        io.mptj.engine.Safetensors.write(
            file,
            java.util.Map.of(
                "a",
                m.arange(6f).reshape(2, 3),
                "b",
                m.arange(4L),
                "c",
                m.ones(new ai.djl.ndarray.types.Shape(3))),
            java.util.Map.of("format", "pt"));
      }
    }
    return file;
  }

  private static void readEverything(Path file) {
    Clear.errorOrSuccess(
        file.toString(),
        () -> {
          SafetensorsFile f = SafetensorsFile.open(file);
          try (NDManager m = NDManager.newBaseManager()) {
            for (String name : f.names()) {
              f.load(m, name).close();
              if (f.info(name).dtype().name().startsWith("F")
                  || f.info(name).dtype().name().startsWith("BF")) {
                f.readFloats(name);
              }
            }
          }
        });
  }

  // ---- config.json -------------------------------------------------------------------------

  /** The tiny BERT's config.json with keys dropped, retyped or set to extreme values. */
  @Property
  void backboneConfigsEndInAClearError(@ForAll long seed) throws IOException {
    Path dir = fresh("bert");
    try (Stream<Path> files = Files.list(bert)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("config.json")) {
          Files.createLink(dir.resolve(f.getFileName()), f);
        }
      }
    }
    JsonNode config = Json.MAPPER.readTree(bert.resolve("config.json").toFile());
    Files.writeString(
        dir.resolve("config.json"), Mutations.json((ObjectNode) config, new Random(seed), 3));
    Clear.errorOrSuccess(
        dir.toString(),
        () -> {
          try (Backbone b = Backbones.load(dir.toString())) {
            assertTrue(b.hiddenSize() > 0);
          }
        });
  }

  // ---- PEFT adapters -----------------------------------------------------------------------

  /** PEFT's own adapters with their config mutated and their weights' bytes flipped. */
  @Property
  void peftAdaptersEndInAClearError(@ForAll long seed) throws IOException {
    Path root = Shared.optionalFixture("peft");
    if (root == null) {
      return; // the shared fixtures are absent: nothing to mutate
    }
    List<Path> adapters;
    try (Stream<Path> s = Files.walk(root, 3)) {
      adapters =
          s.filter(p -> p.getFileName().toString().equals(PeftAdapter.CONFIG))
              .map(Path::getParent)
              .sorted()
              .toList();
    }
    Random rng = new Random(seed);
    Path from = adapters.get(rng.nextInt(adapters.size()));
    Path dir = fresh("peft");
    JsonNode config = Json.MAPPER.readTree(from.resolve(PeftAdapter.CONFIG).toFile());
    Files.writeString(
        dir.resolve(PeftAdapter.CONFIG),
        rng.nextBoolean() ? Mutations.json((ObjectNode) config, rng, 2) : config.toString());
    byte[] weights = Files.readAllBytes(from.resolve(PeftAdapter.WEIGHTS));
    Files.write(
        dir.resolve(PeftAdapter.WEIGHTS),
        rng.nextBoolean() ? Mutations.bytes(weights, rng) : weights);
    Clear.errorOrSuccess(
        dir.toString(),
        () -> {
          PeftAdapter.readConfig(dir);
          try (NDManager m = NDManager.newBaseManager();
              PromptModule p = PeftAdapter.load(dir, m)) {
            assertTrue(p.length() > 0);
          }
        });
  }

  // ---- task specs and task readers --------------------------------------------------------

  /** A user task's task.yaml with keys dropped, retyped or unknown, then its files read. */
  @Property
  void taskSpecsEndInAClearError(@ForAll long seed) throws IOException {
    Path data = fresh("spec");
    Task valid = ToyTasks.task(data, "toy/t", ToyTasks.POS, ToyTasks.NEG, seed);
    Path spec = data.resolve("toy/t/task.yaml");
    JsonNode yaml = Json.YAML.readTree(spec.toFile());
    Random rng = new Random(seed);
    String mutated =
        rng.nextInt(4) == 0
            ? Mutations.text(Files.readString(spec), rng)
            : Json.YAML.writeValueAsString(
                Json.MAPPER.readTree(Mutations.json((ObjectNode) yaml, rng, 2)));
    Files.writeString(spec, mutated);
    Clear.errorOrSuccess(
        "toy/t",
        () -> {
          Task t = TaskRegistry.get(spec.toString());
          t.read(data);
          t.splits(data);
        });
    assertTrue(valid.name().equals("toy/t"));
  }

  /** A user task's JSONL rows with bytes flipped, lines cut and labels changed. */
  @Property
  void jsonlRowsEndInAClearError(@ForAll long seed) throws IOException {
    Path data = fresh("jsonl");
    Task t = ToyTasks.task(data, "toy/j", ToyTasks.POS, ToyTasks.NEG, seed);
    Path train = data.resolve("toy/j/train.jsonl");
    Files.writeString(train, Mutations.lines(Files.readString(train), new Random(seed)));
    Clear.errorOrSuccess("train.jsonl", () -> t.splits(data));
  }

  /** GLUE RTE's TSV layout with cells, tabs and lines mutated. */
  @Property
  void glueTsvRowsEndInAClearError(@ForAll long seed) throws IOException {
    Path data = fresh("tsv");
    Task rte = TaskRegistry.get("glue/RTE", data);
    Path folder = rte.folder(data);
    Files.createDirectories(folder);
    Random rng = new Random(seed);
    String mutatedFile = null;
    for (var e : rte.expectedFiles().entrySet()) {
      StringBuilder b = new StringBuilder("index\tsentence1\tsentence2\tlabel\n");
      for (int i = 0; i < 12; i++) {
        b.append(i)
            .append("\tA man eats bread.\tA person eats.\t")
            .append(e.getKey().equals("test") ? "" : i % 2 == 0 ? "entailment" : "not_entailment")
            .append('\n');
      }
      String text = b.toString();
      if (e.getKey().equals("test")) {
        text = text.replace("\t\n", "\n").replace("\tlabel\n", "\n");
      }
      if (mutatedFile == null || rng.nextBoolean()) {
        text = Mutations.lines(text, rng);
        mutatedFile = e.getValue();
      }
      Path f = folder.resolve(e.getValue());
      Files.createDirectories(f.getParent());
      Files.writeString(f, text);
    }
    Clear.errorOrSuccess("RTE", () -> rte.splits(data));
  }
}
