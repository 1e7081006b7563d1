package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import io.mptj.method.PromptModule;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt tuning on a T5-style encoder-decoder, as in the MPT paper: prompt vectors before the
 * encoder's token embeddings, the target text decoded with teacher forcing, and classification by
 * ranking the task's label strings.
 *
 * <p>Distillation compares the decoder's output distributions over the vocabulary at each target
 * position. So that teacher outputs can be cached, the teacher keeps its top-k logits per position;
 * the KL term is taken between teacher and student distributions renormalised over those k tokens
 * (at temperature T). The hidden-state term compares the mean-pooled encoder output and the
 * decoder's states at the target positions.
 */
public final class Seq2SeqTaskModel implements TaskModel {

  /**
   * How one task's outputs are read.
   *
   * @param labelTexts the label strings ranked for classification and regression (STS-B's "0.0" to
   *     "5.0"), or null for free generation
   * @param labelIds their token ids, each ending with EOS (null for generation)
   * @param regression whether the best label string is parsed as a number
   * @param maxNewTokens generation length for generation tasks
   */
  public record TaskOutputs(
      List<String> labelTexts, long[][] labelIds, boolean regression, int maxNewTokens) {}

  private final Seq2SeqBackbone backbone;
  private final PromptModule prompts;
  private final List<TaskOutputs> outputs;
  private final int topK;

  /**
   * @param outputs per task: its label token sequences (classification and regression scored by
   *     ranking them), or null label ids for generation tasks
   * @param topK teacher logits kept per target position for distillation
   */
  public Seq2SeqTaskModel(
      Seq2SeqBackbone backbone, PromptModule prompts, List<TaskOutputs> outputs, int topK) {
    if (prompts.numTasks() != outputs.size()) {
      throw new IllegalArgumentException("prompts and label sets disagree on the number of tasks");
    }
    this.backbone = backbone;
    this.prompts = prompts;
    this.outputs = List.copyOf(outputs);
    this.topK = topK;
  }

  @Override
  public Seq2SeqBackbone backbone() {
    return backbone;
  }

  @Override
  public PromptModule prompts() {
    return prompts;
  }

  private record Encoded(NDArray hidden, NDArray mask, Seq2SeqBackbone backbone) {}

  /**
   * The encoder's input for a batch and the backbone as the module changes it.
   *
   * @param backbone the backbone with the module's layer edits for this batch (itself when none)
   * @param embeds (B, P+T, d) prompt then (possibly offset) token embeddings
   * @param mask (B, P+T)
   */
  private record EncoderInput(Seq2SeqBackbone backbone, NDArray embeds, NDArray mask) {}

  private EncoderInput input(Batch batch) {
    int p = prompts.length();
    Seq2SeqBackbone b = backbone.withEdits(prompts.edits(batch.taskIds()));
    NDArray tokens = prompts.embedTokens(b.embed(batch.ids()), batch.taskIds()); // (B, T, d)
    if (p == 0) {
      return new EncoderInput(b, tokens, batch.mask()); // a layer method: no prompt
    }
    NDArray prompt = prompts.forward(batch.taskIds(), tokens, batch.mask()); // (B, P, d)
    NDArray x = PromptInput.prependEmbeddings(prompt, tokens); // (B, P+T, d)
    return new EncoderInput(b, x, PromptInput.extendMask(batch.mask(), p)); // mask (B, P+T)
  }

  private Encoded encode(Batch batch) {
    EncoderInput in = input(batch);
    return new Encoded(in.backbone().encode(in.embeds(), in.mask()), in.mask(), in.backbone());
  }

  @Override
  public ModelOutput forward(Batch batch) {
    if (batch.labelIds() == null) {
      throw new IllegalArgumentException("a seq2seq batch needs target ids");
    }
    Encoded enc = encode(batch);
    NDArray decoderIn = backbone.shiftRight(batch.labelIds()); // (B, S)
    Seq2SeqBackbone.DecoderOutput dec = decode(enc, decoderIn, batch.taskIds());
    NDArray pooled =
        EncoderTaskModel.meanOverTokens(enc.hidden(), batch.mask(), prompts.length()); // (B, d)
    return new ModelOutput(dec.logits(), pooled, dec.lastHiddenState());
  }

  /**
   * Teacher forcing, with the module's decoder prompt (PEFT's two-submodule MPT) before the shifted
   * labels when it has one; its positions are cut from the outputs, so that they line up with the
   * labels and never count in a loss.
   *
   * @return logits (B, S, V) and last hidden state (B, S, d)
   */
  private Seq2SeqBackbone.DecoderOutput decode(Encoded enc, NDArray decoderIn, NDArray taskIds) {
    Seq2SeqBackbone b = enc.backbone();
    NDArray prompt = prompts.decoderPrompt(taskIds); // (B, Pd, d) or null
    if (prompt == null) {
      return b.decode(decoderIn, enc.hidden(), enc.mask());
    }
    NDArray embeds = PromptInput.prependEmbeddings(prompt, b.embed(decoderIn)); // (B, Pd+S, d)
    Seq2SeqBackbone.DecoderOutput all = b.decodeEmbeds(embeds, enc.hidden(), enc.mask());
    String labels = ":, " + prompt.getShape().get(1) + ":, :";
    return new Seq2SeqBackbone.DecoderOutput(
        all.logits().get(labels), all.lastHiddenState().get(labels)); // (B, S, V), (B, S, d)
  }

  /** (B, S) float mask of target positions that count (labels not -100). */
  private static NDArray targetMask(Batch batch) {
    return batch
        .labelIds()
        .gte(Tensors.scalar(batch.labelIds(), 0))
        .toType(DataType.FLOAT32, false);
  }

  @Override
  public NDArray taskLoss(Batch batch, ModelOutput out) {
    NDArray valid = targetMask(batch); // (B, S)
    NDArray labels = Tensors.atLeast(batch.labelIds(), 0).expandDims(2); // (B, S, 1)
    NDArray logp = out.logits().logSoftmax(2).gather(labels, 2).squeeze(2); // (B, S)
    NDArray nll = logp.mul(valid).sum(new int[] {1}).neg(); // (B)
    return nll.div(Tensors.atLeast(valid.sum(new int[] {1}), 1)); // (B)
  }

  @Override
  public NDArray distillLoss(
      Batch batch, ModelOutput out, List<TeacherOutput> teacher, double temperature) {
    NDManager m = batch.ids().getManager();
    int b = batch.size();
    int s = (int) out.logits().getShape().get(1);
    int d = (int) out.hidden().getShape().get(1);
    float[] tLogits = new float[b * s * topK];
    long[] tIds = new long[b * s * topK];
    float[] tPooled = new float[b * d];
    float[] tDec = new float[b * s * d];
    for (int i = 0; i < b; i++) {
      TeacherOutput t = teacher.get(i);
      int len = t.ids().length / topK;
      System.arraycopy(t.logits(), 0, tLogits, i * s * topK, len * topK);
      for (int j = 0; j < len * topK; j++) {
        tIds[i * s * topK + j] = t.ids()[j];
      }
      System.arraycopy(t.hidden(), 0, tPooled, i * d, d);
      System.arraycopy(t.hidden(), d, tDec, i * s * d, len * d);
    }
    float temp = (float) temperature;
    NDArray valid = targetMask(batch); // (B, S)
    NDArray ids = m.create(tIds, new Shape(b, s, topK)); // (B, S, k)
    NDArray logPt =
        Tensors.over(m.create(tLogits, new Shape(b, s, topK)), temp).logSoftmax(2); // (B, S, k)
    NDArray logPs = Tensors.over(out.logits().gather(ids, 2), temp).logSoftmax(2); // (B, S, k)
    NDArray klTok = logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {2}); // (B, S)
    NDArray count = Tensors.atLeast(valid.sum(new int[] {1}), 1); // (B)
    NDArray kl = Tensors.times(klTok.mul(valid).sum(new int[] {1}).div(count), temp * temp); // (B)
    NDArray encMse =
        out.hidden().sub(m.create(tPooled, new Shape(b, d))).square().mean(new int[] {1}); // (B)
    NDArray decSq =
        out.decoderHidden()
            .sub(m.create(tDec, new Shape(b, s, d)))
            .square()
            .mean(new int[] {2}); // (B, S)
    NDArray decMse = decSq.mul(valid).sum(new int[] {1}).div(count); // (B)
    return kl.add(encMse).add(decMse); // (B)
  }

  @Override
  public List<TeacherOutput> summarize(Batch batch, ModelOutput out) {
    NDList top = out.logits().topK(topK, 2, true, true); // values, indices: (B, S, k)
    int s = (int) out.logits().getShape().get(1);
    int d = (int) out.hidden().getShape().get(1);
    float[] values = top.get(0).toFloatArray();
    long[] ids = top.get(1).toType(DataType.INT64, false).toLongArray();
    float[] pooled = out.hidden().toFloatArray();
    float[] dec = out.decoderHidden().toFloatArray();
    List<TeacherOutput> result = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      int len = batch.instances().get(i).targetIds().length;
      float[] logits = java.util.Arrays.copyOfRange(values, i * s * topK, (i * s + len) * topK);
      int[] idx = new int[len * topK];
      for (int j = 0; j < idx.length; j++) {
        idx[j] = (int) ids[i * s * topK + j];
      }
      float[] hidden = new float[d + len * d];
      System.arraycopy(pooled, i * d, hidden, 0, d);
      System.arraycopy(dec, i * s * d, hidden, d, len * d);
      result.add(new TeacherOutput(logits, idx, hidden));
    }
    return result;
  }

  @Override
  public List<Prediction> predict(Batch batch) {
    Prediction[] out = new Prediction[batch.size()];
    for (int task = 0; task < outputs.size(); task++) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        if (batch.instances().get(i).task() == task) {
          rows.add(i);
        }
      }
      if (!rows.isEmpty()) {
        predictTask(batch, task, rows, out);
      }
    }
    return java.util.Arrays.asList(out);
  }

  private void predictTask(Batch batch, int task, List<Integer> rows, Prediction[] out) {
    NDManager m = batch.ids().getManager();
    List<Instance> sub = rows.stream().map(batch.instances()::get).toList();
    Batch b = Batch.collate(sub, m, backbone.padTokenId());
    EncoderInput in = input(b);
    NDArray x = in.embeds(); // (b, P+T, d)
    NDArray mask = in.mask(); // (b, P+T)
    TaskOutputs o = outputs.get(task);
    if (o.labelIds() != null) {
      Seq2SeqBackbone.LabelScores scores = in.backbone().scoreLabels(x, mask, o.labelIds());
      for (int j = 0; j < rows.size(); j++) {
        int best = scores.best()[j];
        out[rows.get(j)] =
            o.regression()
                ? new Prediction(
                    -1, Double.parseDouble(o.labelTexts().get(best)), null, scores.scores()[j])
                : new Prediction(best, Double.NaN, null, scores.scores()[j]);
      }
    } else {
      long[][] gen = in.backbone().generate(x, mask, o.maxNewTokens());
      for (int j = 0; j < rows.size(); j++) {
        long[] ids = java.util.Arrays.copyOfRange(gen[j], 1, gen[j].length);
        out[rows.get(j)] =
            new Prediction(-1, Double.NaN, backbone.tokenizer().decode(ids, true), new float[0]);
      }
    }
  }

  @Override
  public List<Parameter> parameters() {
    return prompts.parameters();
  }

  @Override
  public long taskParameterCount(int task) {
    return prompts.taskParameterCount();
  }

  @Override
  public void close() {
    prompts.close();
  }
}
