package io.mptj.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The server's counters, in Prometheus' text exposition format (version 0.0.4). */
final class ServeMetrics {

  /** Upper bounds of the latency histogram, in seconds. */
  private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Map<String, LongAdder> responses = new ConcurrentHashMap<>();
  private final AtomicLongArray latency = new AtomicLongArray(BUCKETS.length + 1);
  private final LongAdder latencySumMicros = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder batchInputs = new LongAdder();
  private final LongAdder batchTokens = new LongAdder();
  private final LongSupplier queueDepth;
  private final LongSupplier residentBytes;

  ServeMetrics(LongSupplier queueDepth, LongSupplier residentBytes) {
    this.queueDepth = queueDepth;
    this.residentBytes = residentBytes;
  }

  /** One answered request: its status and how long it took. */
  void answered(int status, String kind, long nanos) {
    responses.computeIfAbsent(status + "\u0000" + kind, k -> new LongAdder()).increment();
    double s = nanos / 1e9;
    int i = 0;
    while (i < BUCKETS.length && s > BUCKETS[i]) {
      i++;
    }
    latency.incrementAndGet(i);
    latencySumMicros.add(nanos / 1000);
  }

  /** One forward pass of {@code inputs} rows and {@code tokens} tokens. */
  void batch(int inputs, long tokens) {
    batches.increment();
    batchInputs.add(inputs);
    batchTokens.add(tokens);
  }

  /** The exposition text. */
  String render() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP mptj_requests_total Answered requests by status and kind.\n");
    out.append("# TYPE mptj_requests_total counter\n");
    responses.forEach(
        (k, v) -> {
          String[] parts = k.split("\u0000", 2);
          out.append("mptj_requests_total{status=\"")
              .append(parts[0])
              .append("\",kind=\"")
              .append(parts[1])
              .append("\"} ")
              .append(v.sum())
              .append('\n');
        });
    out.append("# HELP mptj_request_seconds Request latency.\n");
    out.append("# TYPE mptj_request_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i <= BUCKETS.length; i++) {
      cumulative += latency.get(i);
      String le = i < BUCKETS.length ? Double.toString(BUCKETS[i]) : "+Inf";
      out.append("mptj_request_seconds_bucket{le=\"")
          .append(le)
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    out.append("mptj_request_seconds_sum ").append(latencySumMicros.sum() / 1e6).append('\n');
    out.append("mptj_request_seconds_count ").append(cumulative).append('\n');
    counter(out, "mptj_batches_total", "Forward passes.", batches.sum());
    counter(out, "mptj_batch_inputs_total", "Inputs over all forward passes.", batchInputs.sum());
    counter(out, "mptj_batch_tokens_total", "Tokens over all forward passes.", batchTokens.sum());
    gauge(out, "mptj_queue_depth", "Requests waiting for the model thread.", queueDepth);
    gauge(out, "mptj_resident_bytes", "Resident memory of the process.", residentBytes);
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, LongSupplier value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(' ').append(value.getAsLong()).append('\n');
  }
}
