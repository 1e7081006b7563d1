package io.mptj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Json;
import io.mptj.engine.NativeMemory;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.SavedRun;
import io.mptj.serve.PromptServer;
import io.mptj.serve.ServeLimits;
import io.mptj.testing.Cli;
import io.mptj.testing.Reliability;
import io.mptj.testing.ToyTasks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's soak: 100,000 requests to the server and 10,000 training steps, in this JVM, with the
 * process's resident memory, committed Java heap and live native arrays sampled every 250 ms. After
 * a warm-up (the first 30% of the samples: the allocator's caches fill over the first quarter of a
 * training run), memory must not grow beyond noise: the median off-heap memory (resident minus
 * committed heap; the heap may grow to its limit by design) of the last 20% of the samples may
 * exceed the median of the 30–50% window by at most max(48 MiB, 5%), and the live arrays by at most
 * 64. Counts: {@code -Dmptj.soak.requests=N}, {@code -Dmptj.soak.steps=N}; the samples and verdicts
 * are written to {@code target/soak/}.
 */
@Reliability
class SoakTest {

  static final int REQUESTS = Integer.getInteger("mptj.soak.requests", 100_000);
  static final int STEPS = Integer.getInteger("mptj.soak.steps", 10_000);

  @TempDir Path work;

  /**
   * One sample: seconds since the start, resident bytes, committed Java heap, live arrays, work
   * done. {@link #offHeap} (resident minus committed heap) is what is judged: the Java heap may
   * grow to its limit by design, native memory may not.
   */
  record Sample(double s, long rss, long heap, int arrays, long done) {
    long offHeap() {
      return rss - heap;
    }
  }

  /** Samples every 250 ms until closed. */
  static final class Sampler implements AutoCloseable {
    final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    final Thread thread;
    volatile boolean running = true;

    Sampler(java.util.function.LongSupplier done) {
      long t0 = System.nanoTime();
      thread =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (running) {
                      samples.add(
                          new Sample(
                              (System.nanoTime() - t0) / 1e9,
                              NativeMemory.residentBytes(),
                              java.lang.management.ManagementFactory.getMemoryMXBean()
                                  .getHeapMemoryUsage()
                                  .getCommitted(),
                              NativeMemory.liveArrays(),
                              done.getAsLong()));
                      try {
                        Thread.sleep(250);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  @Test
  void serving100kRequestsKeepsMemoryFlat() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 5);
    Path data = work.resolve("data");
    String task = ToyTasks.task(data, "toy/soak", ToyTasks.POS, ToyTasks.NEG, 2).reference();
    Path out = work.resolve("run");
    Cli.Result r = Cli.run(adapt(model, data, task, 20, out));
    assertEquals(0, r.rc(), r.err());
    AtomicLong answered = new AtomicLong();
    AtomicInteger failed = new AtomicInteger();
    String body =
        "{\"task\": \"toy/soak\", \"inputs\": [{\"text\": \"good fine day\"}, {\"text\": \"bad\"}]}";
    List<Sample> samples;
    long t0 = System.nanoTime();
    try (Context ctx = new Context(Backbones.load(model.toString()), data, false);
        SavedRun run = SavedRun.open(out, ctx);
        PromptServer server =
            new PromptServer(List.of(run), "127.0.0.1", 0, ServeLimits.defaults(), null, null)) {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/predict"))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      AtomicInteger next = new AtomicInteger();
      try (Sampler sampler = new Sampler(answered::get);
          var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < 16; c++) {
          pool.submit(
              () -> {
                while (next.getAndIncrement() < REQUESTS) {
                  try {
                    HttpResponse<String> a = client.send(req, HttpResponse.BodyHandlers.ofString());
                    if (a.statusCode() == 200) {
                      answered.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                }
                return null;
              });
        }
        pool.shutdown();
        pool.awaitTermination(2, java.util.concurrent.TimeUnit.HOURS);
        samples = List.copyOf(sampler.samples);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, failed.get(), "no request fails");
    assertEquals(REQUESTS, answered.get());
    verdict("serve", samples, Map.of("requests", REQUESTS, "seconds", seconds));
  }

  @Test
  void training10kStepsKeepsMemoryFlat() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 6);
    Path data = work.resolve("data");
    String task = ToyTasks.task(data, "toy/soak", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    Path out = work.resolve("train");
    AtomicLong steps = new AtomicLong();
    List<Sample> samples;
    long t0 = System.nanoTime();
    try (Sampler sampler = new Sampler(() -> loggedSteps(out, steps))) {
      Cli.Result r = Cli.run(adapt(model, data, task, STEPS, out));
      assertEquals(0, r.rc(), r.err());
      samples = List.copyOf(sampler.samples);
    }
    verdict("train", samples, Map.of("steps", STEPS, "seconds", (System.nanoTime() - t0) / 1e9));
  }

  /** The last step in the run's train log (cheap enough every 250 ms: the log is appended). */
  private static long loggedSteps(Path out, AtomicLong last) {
    Path log = out.resolve("train_log.jsonl");
    try {
      if (Files.isRegularFile(log)) {
        List<String> lines = Files.readAllLines(log);
        for (int i = lines.size() - 1; i >= 0; i--) {
          if (lines.get(i).startsWith("{\"step\"")) {
            last.set(Json.MAPPER.readTree(lines.get(i)).path("step").asLong());
            break;
          }
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // a line being written: keep the last value
    }
    return last.get();
  }

  private static List<String> adapt(Path model, Path data, String task, int steps, Path out) {
    return Cli.tinyAdapt(model, data, task, steps, Math.max(10, steps / 4), out);
  }

  /** Asserts flat memory after warm-up and writes the samples and verdict to target/soak/. */
  private static void verdict(String what, List<Sample> samples, Map<String, Object> facts)
      throws java.io.IOException {
    assertTrue(samples.size() >= 20, "too short a soak to judge: " + samples.size() + " samples");
    int n = samples.size();
    List<Sample> base = samples.subList(3 * n / 10, n / 2);
    List<Sample> end = samples.subList(4 * n / 5, n);
    long rssBase = median(base.stream().mapToLong(Sample::offHeap).toArray());
    long rssEnd = median(end.stream().mapToLong(Sample::offHeap).toArray());
    long arraysBase = median(base.stream().mapToLong(Sample::arrays).toArray());
    long arraysEnd = median(end.stream().mapToLong(Sample::arrays).toArray());
    long allowed = Math.max(48L << 20, rssBase / 20);
    Map<String, Object> out = new LinkedHashMap<>(facts);
    out.put("samples", n);
    out.put("off_heap_mib_after_warmup", rssBase / 1048576.0);
    out.put("off_heap_mib_end", rssEnd / 1048576.0);
    out.put("off_heap_growth_mib", (rssEnd - rssBase) / 1048576.0);
    out.put("off_heap_growth_allowed_mib", allowed / 1048576.0);
    out.put("rss_mib_end", median(end.stream().mapToLong(Sample::rss).toArray()) / 1048576.0);
    out.put("live_arrays_after_warmup", arraysBase);
    out.put("live_arrays_end", arraysEnd);
    out.put("trace", samples);
    Path dir = Path.of("target", "soak");
    Files.createDirectories(dir);
    Json.MAPPER
        .writerWithDefaultPrettyPrinter()
        .writeValue(dir.resolve(what + ".json").toFile(), out);
    System.out.println(
        "soak "
            + what
            + ": "
            + Json.MAPPER.writeValueAsString(facts)
            + " off-heap "
            + rssBase / 1048576
            + " -> "
            + rssEnd / 1048576
            + " MiB, live arrays "
            + arraysBase
            + " -> "
            + arraysEnd);
    assertTrue(
        rssEnd - rssBase <= allowed,
        what + ": off-heap memory grew " + (rssEnd - rssBase) / 1048576 + " MiB after warm-up");
    assertTrue(
        arraysEnd <= arraysBase + 64,
        what + ": live native arrays grew " + arraysBase + " -> " + arraysEnd);
  }

  private static long median(long[] xs) {
    long[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }
}
